// Query strings and request bodies.
#include "unit.h"

#include "http/params.h"

using namespace cwiki;

static void urlencoded(void**) {
  Params p;
  assert_true(parse_urlencoded("a=1&b=two+words;c=%41%42&a=2&flag&=empty", p).ok());
  assert_str(*p.get("a"), "1");
  assert_int_equal(p.all("a").size(), 2);
  assert_str(p.all("a")[1], "2");
  assert_str(*p.get("b"), "two words");
  assert_str(*p.get("c"), "AB");
  assert_str(*p.get("flag"), "");
  assert_null(p.get("missing"));
  assert_str(p.get_or("missing", "x"), "x");
}

static void urlencoded_bad(void**) {
  Params p;
  auto r = parse_urlencoded("a=%zz", p);
  assert_int_equal(r.status, 400);
  assert_int_equal(parse_urlencoded("a=%4", p).status, 400);
  assert_int_equal(parse_urlencoded("a=%", p).status, 400);
  assert_int_equal(parse_urlencoded("a=%00", p).status, 400);    // NUL
  assert_int_equal(parse_urlencoded("a=%C3%28", p).status, 400); // invalid UTF-8
  ParseLimits lim;
  lim.max_params = 3;
  Params q;
  assert_true(parse_urlencoded("a=1&b=2&c=3", q, lim).ok());
  Params q2;
  assert_int_equal(parse_urlencoded("a=1&b=2&c=3&d=4", q2, lim).status, 400);
}

static const char* kType = "multipart/form-data; boundary=----xyz";

static void multipart(void**) {
  std::string body =
      "preamble\r\n"
      "------xyz\r\n"
      "Content-Disposition: form-data; name=\"text\"\r\n\r\n"
      "hello\r\nworld\r\n"
      "------xyz\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "\x01\x02" "Xbinary\r\n"
      "------xyz--\r\nepilogue";
  body[body.find("Xbinary")] = '\0';
  Params p;
  std::vector<Upload> up;
  auto r = parse_multipart(body, kType, p, up);
  assert_true(r.ok());
  assert_str(*p.get("text"), "hello\r\nworld");
  assert_str(*p.get("file"), "a \"b\".txt");
  assert_int_equal(up.size(), 1);
  assert_str(up[0].field, "file");
  assert_str(up[0].content_type, "text/plain");
  assert_int_equal(up[0].data.size(), 9);
  assert_int_equal(up[0].data[2], 0);
}

static void multipart_bad(void**) {
  Params p;
  std::vector<Upload> up;
  // no boundary parameter
  assert_int_equal(parse_multipart("x", "multipart/form-data", p, up).status, 400);
  // boundary never appears
  assert_int_equal(parse_multipart("no delimiters here", kType, p, up).status, 400);
  // a part that is never closed
  std::string open =
      "------xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue without end";
  assert_int_equal(parse_multipart(open, kType, p, up).status, 400);
  // headers never end
  assert_int_equal(
      parse_multipart("------xyz\r\nContent-Disposition: form-data; name=\"a\"", kType, p, up).status,
      400);
  // a part without a name
  std::string noname = "------xyz\r\nContent-Type: text/plain\r\n\r\nv\r\n------xyz--\r\n";
  assert_int_equal(parse_multipart(noname, kType, p, up).status, 400);
  // junk after the delimiter
  std::string junk = "------xyzjunk\r\n";
  assert_int_equal(parse_multipart(junk, kType, p, up).status, 400);
  // an unterminated quoted name
  std::string quote =
      "------xyz\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n------xyz--\r\n";
  assert_int_equal(parse_multipart(quote, kType, p, up).status, 400);
}

static void request_params(void**) {
  Request req;
  req.method = "POST";
  req.query = "topic=Main.WebHome";
  req.body = "text=abc&x=1";
  req.headers.emplace_back("content-type", "application/x-www-form-urlencoded; charset=UTF-8");
  Params p;
  std::vector<Upload> up;
  assert_true(parse_request_params(req, p, up).ok());
  assert_str(*p.get("topic"), "Main.WebHome");
  assert_str(*p.get("text"), "abc");
  // a body of another type is left alone
  req.headers[0].second = "application/json";
  Params p2;
  assert_true(parse_request_params(req, p2, up).ok());
  assert_null(p2.get("text"));
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(urlencoded),   cmocka_unit_test(urlencoded_bad),
      cmocka_unit_test(multipart),    cmocka_unit_test(multipart_bad),
      cmocka_unit_test(request_params),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
