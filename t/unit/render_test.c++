// The TML renderer: each construct as a reader of the page sees it, and
// inputs built to make a careless renderer slow (1 MB each).
#include <set>
#include <string>

#include "tml/render.h"

#include "unit.h"

using namespace cwiki;

namespace {

// Topics that exist: Web.Topic strings.
class Links final : public LinkResolver {
 public:
  explicit Links(std::set<std::string> have) : have_(std::move(have)) {}
  bool topic_exists(std::string_view web, std::string_view topic) const override {
    return have_.count(std::string(web) + "." + std::string(topic)) != 0;
  }
  std::string view_url(std::string_view web, std::string_view topic) const override {
    return "/foswiki/bin/view/" + std::string(web) + "/" + std::string(topic);
  }
  std::string edit_url(std::string_view web, std::string_view topic) const override {
    return "/foswiki/bin/edit/" + std::string(web) + "/" + std::string(topic) +
           "?topicparent=Main.Page";
  }

 private:
  std::set<std::string> have_;
};

const Links& links() {
  static const Links l({"Main.WebHome", "Main.Page", "Main.WikiWord", "Main.ABC", "Main.Policy",
                        "System.WebHome", "System.DocTopic", "Sub/Web.SubTopic"});
  return l;
}

RenderContext ctx() {
  RenderContext c;
  c.web = "Main";
  c.topic = "Page";
  c.links = &links();
  return c;
}

std::string render(std::string_view tml) { return render_tml(tml, ctx()); }

std::string render_with(std::string_view tml, const RenderContext& c) { return render_tml(tml, c); }

size_t count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + what.size())) ++n;
  return n;
}

const char* kNew = "<a class=\"foswikiNewLink\" href=\"/foswiki/bin/edit/Main/";

}  // namespace

// --- blocks -------------------------------------------------------------------

static void paragraphs(void**) {
  assert_str(render("Foo"), "Foo");
  assert_str(render("Foo\nBar\n"), "Foo\nBar");
  assert_str(render("Foo\n\nBar"), "Foo\n<p></p>\nBar");
  // a blank first line is kept as it is; later ones become paragraphs
  assert_str(render("\n\nFoo\n"), "\n<p></p>\nFoo");
  assert_str(render("\nFoo\n\n\n"), "\nFoo\n<p></p>");
  assert_str(render(""), "");
}

static void headings(void**) {
  assert_str(render("---+ Title"), "<nop><h1 id=\"Title\">  Title </h1>");
  assert_str(render("---+++ Three"), "<nop><h3 id=\"Three\">  Three </h3>");
  assert_str(render("---## Hash form"), "<nop><h2 id=\"Hash_form\">  Hash form </h2>");
  // !! keeps a heading out of the table of contents and is not shown
  assert_str(render("---++!! Quiet"), "<nop><h2 id=\"Quiet\">  Quiet </h2>");
  assert_str(render("---+ Not %NOTOC% here"), "<nop><h1 id=\"Not_here\">  Not  here </h1>");
  // the same text twice: the second id is made unique
  assert_str(render("---+ Same\n---+ Same"),
             "<nop><h1 id=\"Same\">  Same </h1>\n<nop><h1 id=\"Same_AN1\">  Same </h1>");
  // HTML headings get ids too, and are named before ---+ headings
  assert_str(render("---+ X\n<h2>X</h2> tail"),
             "<nop><h1 id=\"X_AN1\">  X </h1>\n<nop><h2 id=\"X\"> X </h2> tail");
  assert_str(render("#MyAnchor To here"), "<span id=\"MyAnchor\"></span> To here");
}

static void anchors(void**) {
  assert_str(make_anchor("1"), "A_1");
  assert_str(make_anchor("test $1"), "test_361");
  assert_str(make_anchor("TEST ! WikiWord"), "TEST_33_WikiWord");
  assert_str(make_anchor("TEST <nop>WikiWord"), "TEST_WikiWord");
  assert_str(make_anchor("!WikiWord escaped"), "WikiWord_escaped");
  assert_str(make_anchor("[[Linkword]]"), "Linkword");
  assert_str(make_anchor("[[Target][Label text]]"), "Label_text");
  assert_str(make_anchor("TEST <a href=\"A1\"> asdf"), "TEST_asdf");
  assert_str(make_anchor("Test (){}[]_-+!<>~$"), "Test_40_41_123_125_91_93_45_43_33_60_62_126_36");
  assert_str(make_anchor("#Already.valid"), "Already.valid");
  assert_str(make_anchor("Caf\xC3\xA9"), "Caf_233");  // Latin-1 range: code point
}

static void rules(void**) {
  assert_str(render("---"), "<hr />");
  assert_str(render("------- after"), "<hr /> after");
  assert_str(render("--"), "--");
}

static void lists(void**) {
  assert_str(render("   * one\n   * two"), " <ul>\n<li> one\n</li> <li> two\n</li></ul> ");
  assert_str(render("   * one\n      * inner\n   * two"),
             " <ul>\n<li> one <ul>\n<li> inner\n</li></ul> \n</li> <li> two\n</li></ul> ");
  assert_str(render("   1 one\n   1 two"), " <ol>\n<li> one\n</li> <li> two\n</li></ol> ");
  assert_str(render("   A. one"),
             " <ol>\n<li style=\"list-style-type:upper-alpha\"> one\n</li></ol> ");
  assert_str(render("   i. one"), " <ol>\n<li style=\"list-style-type:lower-roman\"> one\n</li></ol> ");
  // a tab is one level, like three spaces
  assert_str(render("\t* tab"), " <ul>\n<li> tab\n</li></ul> ");
  // an item continues on lines indented by three spaces or more
  assert_str(render("   * A bullet\n     broken over\n     lines\nafter"),
             " <ul>\n<li> A bullet     broken over     lines\n</li></ul> \nafter");
  // changing the kind of list at the same level
  assert_str(render("   * bullet\n   1 number"),
             " <ul>\n<li> bullet\n</li>  </ul><ol>\n<li> number\n</li></ol> ");
}

static void definitions(void**) {
  assert_str(render("   $ Term: The definition"),
             " <dl>\n<dt> Term </dt><dd> The definition\n</dd></dl> ");
  assert_str(render("   $ Two words: def"), " <dl>\n<dt> Two words </dt><dd> def\n</dd></dl> ");
  // the old form: one word and a colon
  assert_str(render("   Term: def"), " <dl>\n<dt> Term </dt><dd> def\n</dd></dl> ");
  assert_str(render("   Notthis:either"), "   Notthis:either");
  // indented paragraphs
  assert_str(render("   : Indented"), "<div class='foswikiIndent'> Indented\n</div>");
  assert_str(render("   : "), "<div class='foswikiIndent'> &nbsp;\n</div>");
}

static void tables(void**) {
  assert_str(render("| a | b |"),
             " <table class='foswikiTable'><tbody><tr ><td>  a  </td>\n<td>  b  </td>\n"
             "</tr></tbody></table>");
  // header rows go to thead (first) and tfoot (last)
  std::string t = render("| *h* |\n| b |\n| *f* |");
  assert_str(t,
             " <table class='foswikiTable'><thead><tr ><th><strong> h </strong></th>\n</tr></thead>"
             "<tfoot><tr ><th><strong> f </strong></th>\n</tr></tfoot><tbody><tr ><td>  b  </td>\n"
             "</tr></tbody></table>");
  // alignment from spaces, spans from ||
  assert_str(render("|  right |  center  | left |"),
             " <table class='foswikiTable'><tbody><tr ><td align=\"right\">   right  </td>\n"
             "<td align=\"center\">   center   </td>\n<td>  left  </td>\n</tr></tbody></table>");
  assert_str(render("| span ||"),
             " <table class='foswikiTable'><tbody><tr ><td colspan=\"2\">  span  </td>\n"
             "</tr></tbody></table>");
  assert_str(render("| |"),
             " <table class='foswikiTable'><tbody><tr ><td>  &nbsp;  </td>\n</tr></tbody></table>");
  // emphasis and links work in cells
  assert_true(render("| *b* and WikiWord |").find("<strong>b</strong> and <a href=") !=
              std::string::npos);
}

static void lifted_blocks(void**) {
  assert_str(render("<verbatim>\n<b>*x*</b> & WikiWord\n</verbatim>"),
             "<pre>\n&#60;b&#62;&#42;x&#42;&#60;/b&#62; &#38; WikiWord\n</pre>");
  assert_str(render("<verbatim class=\"tml\">\tx</verbatim>"), "<pre class=\"tml\">   x</pre>");
  assert_str(render("<pre>*not bold* WikiWord</pre>"), "<pre>*not bold* WikiWord</pre>");
  assert_str(render("<literal>| not | table |</literal>"), "| not | table |");
  assert_str(render("<textarea>\n*x*\n\n</textarea>"), "<textarea>\n*x*\n\n</textarea>");
  assert_str(render("<sticky>*b*</sticky>"), "<strong>b</strong>");
  // a verbatim block inside another one is text
  assert_str(render("<verbatim><verbatim>x</verbatim></verbatim>"),
             "<pre>&#60;verbatim&#62;x&#60;/verbatim&#62;</pre>");
  // an unterminated verbatim runs to the end (and takes Foswiki's end
  // marker with it)
  assert_str(render("a\n<verbatim>\n*b*"), "a\n<pre>\n&#42;b&#42;\n&#60;nop&#62;\n</pre>\n");
}

static void html_and_entities(void**) {
  assert_str(render("a < b > c & d"), "a &lt; b &gt; c &amp; d");
  assert_str(render("&copy; &#169; &#xA9;"), "&copy; &#169; &#xA9;");
  assert_str(render("<b>bold</b> <span class=\"x\">s</span>"),
             "<b>bold</b> <span class=\"x\">s</span>");
  // comments are kept, but their text is rendered like any other
  assert_str(render("<!-- comment *x* -->"), "<!-- comment <strong>x</strong> -->");
  assert_str(render("<br/> <img src=\"x.png\" />"), "<br/> <img src=\"x.png\" />");
  // e-mail style quotes
  assert_str(render(">quoted"), "<cite>&gt; quoted</cite><br />");
  // a backslash at the end of a line joins it with the next
  assert_str(render("one \\\ntwo"), "one two");
}

// --- inline -------------------------------------------------------------------

static void emphasis(void**) {
  assert_str(render("*bold*"), "<strong>bold</strong>");
  assert_str(render("_italic_"), "<em>italic</em>");
  assert_str(render("__bold italic__"), "<strong><em>bold italic</em></strong>");
  assert_str(render("=fixed="), "<code>fixed</code>");
  assert_str(render("==bold fixed=="), "<code><b>bold fixed</b></code>");
  // start of a word and end of a word only
  assert_str(render("a*b*c"), "a*b*c");
  assert_str(render("(*x*), *y*."), "(<strong>x</strong>), <strong>y</strong>.");
  assert_str(render("*not bold *"), "*not bold *");
  assert_str(render("*a\nb*"), "*a\nb*");
  // fixed font keeps runs of spaces
  assert_str(render("=a    b="), "<code>a&nbsp; &nbsp; b</code>");
  assert_str(render("_text with H_ link_"), "<em>text with H</em> link_");
}

static void escapes(void**) {
  assert_str(render("!WikiWord"), "<nop>WikiWord");
  assert_str(render("<nop>WikiWord"), "<nop>WikiWord");
  assert_str(render("![[WikiWord]]"), "[<nop>[WikiWord]]");
  assert_str(render("!user@example.com"), "<nop>user@example.com");
  assert_str(render("A != B"), "A != B");
}

static void wikiwords(void**) {
  assert_str(render("WikiWord"), "<a href=\"/foswiki/bin/view/Main/WikiWord\">WikiWord</a>");
  assert_str(render("MissingTopic"),
             std::string(kNew) +
                 "MissingTopic?topicparent=Main.Page\" rel=\"nofollow\" title=\"Create this "
                 "topic\">MissingTopic</a>");
  // acronyms link only when the topic exists
  assert_str(render("ABC and XYZ"), "<a href=\"/foswiki/bin/view/Main/ABC\">ABC</a> and XYZ");
  assert_str(render("Web.ABC"), "Web.ABC");
  // another web; its home topic is shown as the web's name
  assert_str(render("System.DocTopic"), "<a href=\"/foswiki/bin/view/System/DocTopic\">DocTopic</a>");
  assert_str(render("System.WebHome"), "<a href=\"/foswiki/bin/view/System/WebHome\">System</a>");
  assert_str(render("Sub/Web.SubTopic"),
             "<a href=\"/foswiki/bin/view/Sub/Web/SubTopic\">SubTopic</a>");
  // the current topic and its web's home topic are marked
  assert_str(render("Page? WebHome"),
             "Page? <a class=\"foswikiCurrentWebHomeLink\" href=\"/foswiki/bin/view/Main/WebHome\">"
             "WebHome</a>");
  assert_str(render("WikiWord#Here"),
             "<a href=\"/foswiki/bin/view/Main/WikiWord#Here\">WikiWord#Here</a>");
  // plurals find the singular topic
  assert_str(render("WikiWords"), "<a href=\"/foswiki/bin/view/Main/WikiWord\">WikiWords</a>");
  assert_str(render("[[policies]]"), "<a href=\"/foswiki/bin/view/Main/Policy\">policies</a>");
  // only at the start of a word
  assert_str(render("xWikiWord Numeric1nowikiword"), "xWikiWord Numeric1nowikiword");
  assert_str(render("<noautolink>WikiWord</noautolink> WikiWord"),
             "<noautolink>WikiWord</noautolink> <a href=\"/foswiki/bin/view/Main/WikiWord\">"
             "WikiWord</a>");
}

static void noautolink_tags(void**) {
  // any case, with attributes; a longer tag name is not the tag
  assert_str(render("<NoAutoLink class=\"x\">WikiWord </noAUTOlink>WikiWord <noautolinks>WikiWord"
                    "</noautolink\n</noautolink>WikiWord"),
             "<noautolink class=\"x\">WikiWord </noautolink>WikiWord <noautolinks>WikiWord"
             "&lt;/noautolink\n</noautolink>WikiWord");
  assert_str(render("kkk<noautolink>kk WikiWord</noautolink>k WikiWord"),
             "kkk<noautolink>kk WikiWord</noautolink>k "
             "<a href=\"/foswiki/bin/view/Main/WikiWord\">WikiWord</a>");
  assert_str(render("Text with \u00c4\u00d6 WikiWord and \u00c9mile \u00c0BCWord x\u00a0WikiWord"),
             "Text with \u00c4\u00d6 <a href=\"/foswiki/bin/view/Main/WikiWord\">WikiWord</a> and "
             "\u00c9mile \u00c0BCWord x\u00a0<a href=\"/foswiki/bin/view/Main/WikiWord\">WikiWord</a>");
}

static void noautolink_pref(void**) {
  RenderContext c = ctx();
  c.pref = [](std::string_view name) -> std::optional<std::string> {
    if (name == "NOAUTOLINK") return std::string("on");
    return std::nullopt;
  };
  assert_str(render_with("WikiWord [[WikiWord]]", c),
             "WikiWord <a href=\"/foswiki/bin/view/Main/WikiWord\">WikiWord</a>");
  c.pref = [](std::string_view) -> std::optional<std::string> { return std::string("off"); };
  assert_str(render_with("WikiWord", c), "<a href=\"/foswiki/bin/view/Main/WikiWord\">WikiWord</a>");
}

static void bracket_links(void**) {
  assert_str(render("[[WikiWord]]"), "<a href=\"/foswiki/bin/view/Main/WikiWord\">WikiWord</a>");
  assert_str(render("[[wiki word][the label]]"),
             "<a href=\"/foswiki/bin/view/Main/WikiWord\">the label</a>");
  // spaced words make the topic name; capitals after a space get a <nop>
  assert_str(render("[[some new topic]]"),
             std::string(kNew) +
                 "SomeNewTopic?topicparent=Main.Page\" rel=\"nofollow\" title=\"Create this "
                 "topic\">some new topic</a>");
  assert_str(render("[[WikiWord][Alt TextAlt]]"),
             "<a href=\"/foswiki/bin/view/Main/WikiWord\">Alt <nop>TextAlt</a>");
  assert_str(render("[[WikiWord#Part][x]]"),
             "<a href=\"/foswiki/bin/view/Main/WikiWord#Part\">x</a>");
  assert_str(render("[[WikiWord?a=1&b=2]]"),
             "<a href=\"/foswiki/bin/view/Main/WikiWord?a=1&amp;b=2\">WikiWord</a>");
  assert_str(render("[[#Here][jump]]"),
             "<a class=\"foswikiCurrentTopicLink\" href=\"#Here\">jump</a>");
  assert_str(render("[[System.WebHome]]"),
             "<a href=\"/foswiki/bin/view/System/WebHome\">System.WebHome</a>");
  // emphasis in the label
  assert_str(render("[[WikiWord][*b* _i_]]"),
             "<a href=\"/foswiki/bin/view/Main/WikiWord\"><strong>b</strong> <em>i</em></a>");
  // external targets
  assert_str(render("[[http://example.com/a b][the site]]"),
             "<a href=\"http://example.com/a%20b\">the site</a>");
  assert_str(render("[[/local/path][here]]"), "<a href=\"/local/path\">here</a>");
  assert_str(render("[[http://x.org][see http://y.org]]"),
             "<a href=\"http://x.org\">see http<nop>://y.org</a>");
  assert_str(render("[[WikiWord][http://x.org/logo.png]]"),
             "<a href=\"/foswiki/bin/view/Main/WikiWord\"><img alt=\"logo.png\" "
             "src=\"http://x.org/logo.png\" /></a>");
  // bracketed IPv6 addresses inside a link
  assert_str(render("[[http://[::1]/x]]"), "<a href=\"http://[::1]/x\">http://[::1]/x</a>");
}

static void urls(void**) {
  assert_str(render("see http://example.com/path."),
             "see <a href=\"http://example.com/path\">http://example.com/path</a>.");
  assert_str(render("(https://x.org/a_b)"), "(<a href=\"https://x.org/a_b\">https://x.org/a_b</a>)");
  assert_str(render("http://x.org/pic.gif"), "<img alt=\"pic.gif\" src=\"http://x.org/pic.gif\" />");
  assert_str(render("xhttp://x.org"), "xhttp://x.org");
  assert_str(render("*http://x.org*"), "<strong>http://x.org</strong>");
  assert_str(render("url(http://x.org/a.css)"), "url(http://x.org/a.css)");
}

static void emails(void**) {
  RenderContext c = ctx();
  c.options.entity_encode_email = false;
  assert_str(render_with("mail joe@example.com now", c),
             "mail <a href=\"mailto:joe@example.com\">joe@example.com</a> now");
  c.options.email_padding = "NOSPAM";
  assert_str(render_with("joe@example.com", c),
             "<a href=\"mailto:joe@exampleNOSPAM.com\">joe@exampleNOSPAM.com</a>");
  assert_str(render_with("\"Some Name\"@blah.com", c),
             "<a href=\"mailto:%22Some%20Name%22@blahNOSPAM.com\">\"Some Name\"@blahNOSPAM.com</a>");
  assert_str(render_with("bad@example.porn noTLD@home", c), "bad@example.porn noTLD@home");
  // by default the address is hidden behind entities
  assert_str(render("joe@example.com"),
             "<a href=\"mailto&#58;joe&#64;example&#46;com\">joe&#64;example.com</a>");
}

static void base_topic(void**) {
  RenderContext c = ctx();
  c.base_web = "System";
  c.base_topic = "DocTopic";
  // links are "current" for the topic of the request, not the rendered one
  assert_str(render_with("[[#Here]]", c),
             "<a href=\"/foswiki/bin/view/Main/Page#Here\">#Here</a>");
  assert_str(render_with("WebHome", c), "<a href=\"/foswiki/bin/view/Main/WebHome\">Main</a>");
}

static void plain_text(void**) {
  RenderContext c = ctx();
  assert_str(tml_to_plain("Apache is the [[http://www.apache.org/][well known web server]].", c),
             "Apache is the well known web server.");
  assert_str(tml_to_plain("Apache is the [[well known web server]].", c),
             "Apache is the   well known web server  .");
  assert_str(tml_to_plain("__Apache 1.1__ is *bold* %MACRO{x}% <b>tag</b>", c),
             "Apache 1.1 is bold  tag");
  assert_str(tml_to_plain("---+ Head\ntext", c, "nohead"), "text");
  assert_str(tml_to_plain("%WEB%.%TOPIC%", c), "Main.Page");
}

// --- inputs that must stay linear ------------------------------------------------

static void anchor_names(void**) {
  // equal headings get _ANn; a heading named like one of those gets its own suffix
  assert_str(render("---+ Same\n---+ Same\n---+ Same_AN1\n---+ Same\n#Same\n<h2>Same</h2>\n"),
             "<nop><h1 id=\"Same_AN1\">  Same </h1>\n"
             "<nop><h1 id=\"Same_AN2\">  Same </h1>\n"
             "<nop><h1 id=\"Same_AN1_AN1\">  Same_AN1 </h1>\n"
             "<nop><h1 id=\"Same_AN3\">  Same </h1>\n"
             "#Same\n"
             "<nop><h2 id=\"Same\"> Same </h2>");
  // the name is cut to stay within 32 characters with its suffix
  assert_str(render("---+ A heading that is longer than thirty-two characters\n"
                    "---+ A heading that is longer than thirty-two characters\n"),
             "<nop><h1 id=\"A_heading_that_is_longer_than_thirty_45two_characters\">  A heading "
             "that is longer than thirty-two characters </h1>\n"
             "<nop><h1 id=\"A_heading_that_is_longer_tha_AN1\">  A heading that is longer than "
             "thirty-two characters </h1>");
  // many equal headings: every id is different
  std::string in;
  for (int i = 0; i < 20000; ++i) in += "---+ h\n";
  std::string out = render(in);
  assert_int_equal(count(out, "id=\"h_AN19999\""), 1);
  assert_int_equal(count(out, "id=\"h\""), 1);
}

static void pathological(void**) {
  const size_t n = 1 << 20;
  {
    std::string out = render(std::string(n, '*'));
    assert_true(out.starts_with("<strong>") && out.ends_with("</strong>"));
  }
  {
    std::string in;
    for (size_t i = 0; i < n / 2; ++i) in += "[[";
    assert_str(render(in), in);
  }
  {
    std::string out = render(std::string(n, '|'));
    assert_int_equal(count(out, "<table"), 1);
    assert_int_equal(count(out, "</table>"), 1);
  }
  {
    std::string out = render(std::string(n, '_'));
    assert_true(out.starts_with("<strong><em>") && out.ends_with("</em></strong>"));
  }
  {
    // a list 10,000 levels deep, and lines going up and down
    std::string in(3 * 10000, ' ');
    in += "* deep\n   * top\n";
    for (int i = 0; i < 100; ++i) in += std::string(3 * 5000, ' ') + "* x\n   * y\n";
    std::string out = render(in);
    assert_int_equal(count(out, "<ul>"), count(out, "</ul>"));
    assert_int_equal(count(out, "<li>"), count(out, "</li>"));
  }
  {
    std::string in = "<verbatim>";
    while (in.size() < n) in += "<b>*x*</b>\n";
    std::string out = render(in);
    assert_true(out.starts_with("<pre>") && out.ends_with("</pre>\n"));
    assert_int_equal(count(out, "<b>"), 0);
  }
  {
    std::string out = render(std::string(n, '<'));
    assert_int_equal(count(out, "&lt;"), n);
  }
  {
    std::string in;
    while (in.size() < n) in += "---+\n";
    std::string out = render(in);
    assert_int_equal(count(out, "<h1 "), n / 5 + (n % 5 ? 1 : 0));
  }
  {
    std::string in;
    while (in.size() < n) in += "*a _b =c [[d][e <a x http:-- f@g. ";
    std::string out = render(in);
    assert_true(out.size() >= in.size());
  }
  {
    std::string in;
    while (in.size() < n) in += "| a | *b* |\n";
    std::string out = render(in);
    assert_int_equal(count(out, "<tr "), n / 12 + (n % 12 ? 1 : 0));
    assert_int_equal(count(out, "</table>"), 1);
  }
  {
    std::string in;
    while (in.size() < n) in += "WikiWord ABC x@y.com http://x.org/ ";
    std::string out = render(in);
    assert_int_equal(count(out, "<a "), count(out, "</a>"));
  }
  {
    // one heading line of brackets: its anchor name, and the link rule
    std::string in = "---+ ";
    while (in.size() < n) in += "[[a][";
    std::string out = render(in);
    assert_true(out.starts_with("<nop><h1 id=\"A_91_91a_93_91"));
    assert_true(out.ends_with(" </h1>"));
  }
  {
    std::string in;
    while (in.size() < n) in += "[[a][%A{ %META:A <!-- a@b.com ---+ ";
    assert_false(tml_to_plain(in, ctx(), "nohead showvar").empty());
    assert_false(tml_to_plain(in, ctx()).empty());
    assert_false(make_anchor(in).empty());
  }
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(paragraphs),   cmocka_unit_test(headings),
      cmocka_unit_test(anchors),      cmocka_unit_test(rules),
      cmocka_unit_test(lists),        cmocka_unit_test(definitions),
      cmocka_unit_test(tables),       cmocka_unit_test(lifted_blocks),
      cmocka_unit_test(html_and_entities), cmocka_unit_test(emphasis),
      cmocka_unit_test(escapes),      cmocka_unit_test(wikiwords),
      cmocka_unit_test(noautolink_pref), cmocka_unit_test(noautolink_tags),
      cmocka_unit_test(bracket_links),
      cmocka_unit_test(urls),         cmocka_unit_test(emails),
      cmocka_unit_test(base_topic),   cmocka_unit_test(plain_text),
      cmocka_unit_test(anchor_names), cmocka_unit_test(pathological),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
