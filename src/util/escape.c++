#include "util/escape.h"

namespace cwiki {

void append_html_escaped(std::string& out, std::string_view in) {
  size_t run = 0;  // start of the current run of bytes that need no escaping
  for (size_t i = 0; i < in.size(); ++i) {
    const char* rep = nullptr;
    switch (in[i]) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      case '\'': rep = "&#39;"; break;
      default: continue;
    }
    out.append(in.data() + run, i - run);
    out.append(rep);
    run = i + 1;
  }
  out.append(in.data() + run, in.size() - run);
}

std::string html_escape(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  append_html_escaped(out, in);
  return out;
}

void append_url_encoded(std::string& out, std::string_view in, bool keep_slash) {
  static const char hex[] = "0123456789ABCDEF";
  size_t run = 0;  // start of the plain bytes not yet copied
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
    if (plain) continue;
    out.append(in, run, i - run);
    out.push_back('%');
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
    run = i + 1;
  }
  out.append(in, run, std::string_view::npos);
}

void append_foswiki_url_encoded(std::string& out, std::string_view in) {
  static const char hex[] = "0123456789abcdef";
  size_t run = 0;  // start of the plain bytes not yet copied
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    bool plain = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 c == '-' || c == '_' || c == '.' || c == ':' || c == '~' || c == '!' ||
                 c == '*' || c == '/';
    if (plain) continue;
    out.append(in, run, i - run);
    out.push_back('%');
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
    run = i + 1;
  }
  out.append(in, run, std::string_view::npos);
}

std::string foswiki_url_encode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  append_foswiki_url_encoded(out, in);
  return out;
}

std::string url_encode(std::string_view in, bool keep_slash) {
  std::string out;
  out.reserve(in.size());
  append_url_encoded(out, in, keep_slash);
  return out;
}

namespace {

// Length of the well-formed UTF-8 sequence at p, or 0.
size_t utf8_seq(const unsigned char* p, const unsigned char* end) {
  unsigned char c = *p;
  if (c < 0x80) return 1;
  int n;
  unsigned cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 1;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 2;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 3;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (end - p <= n) return 0;
  for (int i = 1; i <= n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return static_cast<size_t>(n) + 1;
}

}  // namespace

bool repair_utf8(std::string& s) {
  if (is_valid_utf8(s)) return false;
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + 16);
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    size_t n = utf8_seq(p, end);
    if (n == 0) {
      out += "\\x";
      out.push_back(hex[*p >> 4]);
      out.push_back(hex[*p & 15]);
      ++p;
    } else {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
    }
  }
  s.swap(out);
  return true;
}

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += n + 1;
  }
  return true;
}

}  // namespace cwiki
