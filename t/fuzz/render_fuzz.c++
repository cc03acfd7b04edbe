// libFuzzer target: the TML renderer (and anchors and plain text) on any
// input.  A finding is a crash, a sanitizer report, a timeout or a blow-up
// of memory.  Build and run with `make fuzz` (FUZZ_SECONDS, default 600).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tml/render.h"

namespace {

// A wiki where topics whose name has an even length exist.
class Links final : public cwiki::LinkResolver {
 public:
  bool topic_exists(std::string_view, std::string_view topic) const override {
    return topic.size() % 2 == 0;
  }
  std::string view_url(std::string_view web, std::string_view topic) const override {
    return "/foswiki/bin/view/" + std::string(web) + "/" + std::string(topic);
  }
  std::string edit_url(std::string_view web, std::string_view topic) const override {
    return "/foswiki/bin/edit/" + std::string(web) + "/" + std::string(topic) + "?topicparent=Web.Topic";
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Links links;
  cwiki::RenderContext ctx;
  ctx.web = "Sandbox";
  ctx.topic = "FuzzTopic";
  ctx.links = &links;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string html = cwiki::render_tml(text, ctx);
  std::string anchor = cwiki::make_anchor(text.substr(0, 512));
  std::string plain = cwiki::tml_to_plain(text, ctx);
  return html.size() + anchor.size() + plain.size() == 0 ? 0 : 0;
}
