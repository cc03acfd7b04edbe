// Renderer benchmark: MB/s rendering the System web's topic texts with the TML
// renderer, against md4c rendering Markdown of the same total size, in one
// run, with the ratio; then pathological inputs at 1 MB and 10 MB, to show
// that the time grows linearly.
//
//   build/bench/render_bench [data_dir]    (default ../shared/foswiki/data)
extern "C" {
#include <md4c-html.h>
}

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "store/fs.h"
#include "store/meta.h"
#include "tml/render.h"

using Clock = std::chrono::steady_clock;

namespace {

class Links final : public cwiki::LinkResolver {
 public:
  bool topic_exists(std::string_view, std::string_view t) const override { return t.size() % 2 == 0; }
  std::string view_url(std::string_view w, std::string_view t) const override {
    return "/foswiki/bin/view/" + std::string(w) + "/" + std::string(t);
  }
  std::string edit_url(std::string_view w, std::string_view t) const override {
    return "/foswiki/bin/edit/" + std::string(w) + "/" + std::string(t);
  }
};

double seconds(const std::function<void()>& f, int rounds) {
  auto a = Clock::now();
  for (int i = 0; i < rounds; ++i) f();
  return std::chrono::duration<double>(Clock::now() - a).count() / rounds;
}

void md_out(const MD_CHAR* text, MD_SIZE size, void* userdata) {
  static_cast<std::string*>(userdata)->append(text, size);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = argc > 1 ? argv[1] : "../shared/foswiki/data";
  if (const char* env = std::getenv("CWIKI_SHARED"); env && argc <= 1)
    data = std::string(env) + "/foswiki/data";
  const cwiki::Fs& fs = cwiki::posix_fs();
  std::vector<std::string> texts;
  size_t total = 0;
  for (const auto& name : fs.list(data + "/System")) {
    if (!name.ends_with(".txt")) continue;
    auto raw = fs.read(data + "/System/" + name, 1 << 24);
    if (!raw) continue;
    texts.push_back(cwiki::parse_topic(*raw).text);
    total += texts.back().size();
  }
  Links links;
  cwiki::RenderContext ctx;
  ctx.web = "System";
  ctx.topic = "BenchTopic";
  ctx.links = &links;
  if (!texts.empty()) {
    // Markdown of the same total size: a mix of the usual constructs.
    std::string md;
    const char* block =
        "## A heading with *emphasis*\n\nA paragraph with **bold**, `code`, a [link](http://example.com/x) "
        "and plain words that run on for a while to make a realistic line of text.\n\n"
        "* a bullet item\n* another item with _italic_ text\n  * nested item\n\n"
        "| col | col |\n|-----|-----|\n| a | b |\n\n```\ncode block\n```\n\n";
    while (md.size() < total) md += block;
    md.resize(total);
    size_t out_t = 0, out_m = 0;
    double t_tml = seconds([&] { for (auto& t : texts) out_t += cwiki::render_tml(t, ctx).size(); }, 5);
    double t_md = seconds([&] {
      std::string out;
      md_html(md.data(), static_cast<MD_SIZE>(md.size()), md_out, &out, MD_DIALECT_GITHUB, 0);
      out_m += out.size();
    }, 5);
    std::printf("render: %zu System topics, %.2f MB: TML %.1f MB/s | md4c on %.2f MB of Markdown %.1f MB/s | "
                "TML/md4c %.2f\n",
                texts.size(), total / 1e6, total / 1e6 / t_tml, md.size() / 1e6, md.size() / 1e6 / t_md,
                t_md / t_tml);
  } else {
    std::printf("render: no System web under %s; the md4c comparison is skipped\n", data.c_str());
  }
  struct Case {
    const char* name;
    std::function<std::string(size_t)> make;
  };
  auto repeat = [](std::string unit) {
    return [unit](size_t n) {
      std::string s;
      s.reserve(n + unit.size());
      while (s.size() < n) s += unit;
      s.resize(n);
      return s;
    };
  };
  std::vector<Case> cases = {
      {"*", repeat("*")},
      {"[[", repeat("[[")},
      {"|", repeat("|")},
      {"_ words", repeat("_a ")},
      {"<", repeat("<")},
      {"---+ lines", repeat("---+ heading\n")},
      {"list 10000 deep", [](size_t n) {
         std::string s;
         for (int d = 1; s.size() < n; d = d % 10000 + 1) s += std::string(3 * d, ' ') + "* x\n";
         s.resize(n);
         return s;
       }},
      {"unterminated <verbatim>", [](size_t n) { return "<verbatim>\n" + std::string(n, 'x'); }},
      {"table rows", repeat("| a | *b* | c |\n")},
  };
  for (const auto& c : cases) {
    std::string one = c.make(1u << 20), ten = c.make(10u << 20);
    double t1 = seconds([&] { cwiki::render_tml(one, ctx); }, 3);
    double t10 = seconds([&] { cwiki::render_tml(ten, ctx); }, 1);
    std::printf("  %-24s 1 MB %8.1f ms   10 MB %8.1f ms   ratio %5.1f (linear: 10)\n", c.name,
                t1 * 1e3, t10 * 1e3, t10 / t1);
  }
  return 0;
}
