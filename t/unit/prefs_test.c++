// The preference stack against a plain model of Foswiki's rules, under long
// random sequences of pushes, run-time settings and pops.
#include <cstdlib>
#include <map>
#include <set>
#include <vector>

#include "prefs/stack.h"
#include "unit.h"

using namespace cwiki;

namespace {

// The rules, written the slow and obvious way.
struct ModelLevel {
  std::map<std::string, std::string> set, local, session;
  std::set<std::string> finals;
};

struct Model {
  std::vector<ModelLevel> levels;

  // Is `name` final at a level below `level`?
  bool final_below(const std::string& name, size_t level) const {
    for (size_t j = 0; j < level && j < levels.size(); ++j)
      if (levels[j].finals.count(name)) return true;
    return false;
  }
  std::optional<std::string> get(const std::string& name) const {
    if (levels.size() >= 2) {
      size_t t = levels.size() - 2;
      if (!final_below(name, t))
        if (auto it = levels[t].local.find(name); it != levels[t].local.end()) return it->second;
    }
    for (size_t i = levels.size(); i-- > 0;) {
      if (auto it = levels[i].session.find(name); it != levels[i].session.end()) return it->second;
      if (auto it = levels[i].set.find(name); it != levels[i].set.end() && !final_below(name, i))
        return it->second;
    }
    return std::nullopt;
  }
  bool set_session(const std::string& name, const std::string& value) {
    if (levels.empty() || final_below(name, levels.size())) return false;
    levels.back().session[name] = value;
    return true;
  }
};

std::vector<std::string> name_pool(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    // Short and long names, so that every tail length of the hash is used.
    std::string name = "P" + std::to_string(i);
    name.append(i % 23, static_cast<char>('A' + i % 26));
    out.push_back(name);
  }
  return out;
}

void random_run(unsigned seed, size_t pool_size, int steps) {
  std::srand(seed);
  std::vector<std::string> pool = name_pool(pool_size);
  auto pick = [&] { return pool[static_cast<size_t>(std::rand()) % pool.size()]; };
  PrefsStack stack;
  Model model;
  for (int step = 0; step < steps; ++step) {
    int op = std::rand() % 10;
    if (op < 4 && model.levels.size() < 12) {  // push a level
      auto level = std::make_shared<PrefsLevel>();
      ModelLevel m;
      int n = std::rand() % static_cast<int>(pool.size() / 2 + 1);
      for (int k = 0; k < n; ++k) {
        std::string name = pick(), value = "v" + std::to_string(step) + "." + std::to_string(k);
        level->set[name] = value;
        m.set[name] = value;
        if (std::rand() % 8 == 0) {
          level->local[name] = value + "L";
          m.local[name] = value + "L";
        }
        if (std::rand() % 16 == 0) {
          level->final_names.push_back(name);
          m.finals.insert(name);
        }
      }
      stack.push(level);
      model.levels.push_back(std::move(m));
    } else if (op < 5) {
      stack.push_session_level();
      model.levels.emplace_back();
    } else if (op < 7) {  // a %SET%
      std::string name = pick(), value = "s" + std::to_string(step);
      bool done = stack.set_session(name, value);
      assert_int_equal(done, model.set_session(name, value));
    } else if (op < 8 && !model.levels.empty()) {  // pop back
      size_t to = static_cast<size_t>(std::rand()) % model.levels.size();
      stack.restore(to);
      model.levels.resize(to);
    }
    assert_int_equal(stack.size(), model.levels.size());
    // Every name answers as the model does.
    for (const std::string& name : pool) {
      std::optional<std::string> got = stack.get(name), want = model.get(name);
      if (got != want)
        fail_msg("step %d, %s: got %s, want %s", step, name.c_str(), got ? got->c_str() : "(none)",
                 want ? want->c_str() : "(none)");
    }
  }
  stack.restore(0);
  for (const std::string& name : pool) assert_false(stack.get(name).has_value());
  assert_true(stack.names().empty());
}

void small_pool(void**) {
  for (unsigned seed = 1; seed <= 40; ++seed) random_run(seed, 12, 150);
}

// More names than the index starts with: it grows, and its entries are
// removed again by the pops, with long probe runs.
void large_pool(void**) {
  for (unsigned seed = 100; seed < 104; ++seed) random_run(seed, 1500, 60);
}

void internals_override_and_come_back(void**) {
  PrefsStack stack;
  auto level = std::make_shared<PrefsLevel>();
  level->set["WEB"] = "FromTopic";
  level->set["SKIN"] = "pattern";
  stack.push(level);
  stack.push_session_level();
  assert_str(*stack.get("WEB"), "FromTopic");
  stack.set_internal("WEB", "Sandbox");
  stack.set_internal("TOPIC", "WebHome");
  assert_str(*stack.get("WEB"), "Sandbox");
  PrefsStack::Internals saved = stack.internals();
  stack.set_internal("WEB", "System");
  stack.clear_internal("TOPIC");
  assert_str(*stack.get("WEB"), "System");
  assert_false(stack.internal("TOPIC").has_value());
  stack.set_internals(saved);
  assert_str(*stack.get("WEB"), "Sandbox");
  assert_str(*stack.internal("TOPIC"), "WebHome");
  stack.clear_internal("WEB");
  assert_str(*stack.get("WEB"), "FromTopic");
  assert_str(*stack.get("SKIN"), "pattern");
}

// A run-time value over the same level's own value, and a final name that
// a later level and %SET% cannot change.
void session_and_final(void**) {
  PrefsStack stack;
  auto site = std::make_shared<PrefsLevel>();
  site->set["COLOR"] = "red";
  site->set["LOCKED"] = "yes";
  site->final_names = {"LOCKED"};
  stack.push(site);
  auto web = std::make_shared<PrefsLevel>();
  web->set["COLOR"] = "green";
  web->set["LOCKED"] = "no";
  stack.push(web);
  assert_str(*stack.get("COLOR"), "green");
  assert_str(*stack.get("LOCKED"), "yes");
  assert_true(stack.set_session("COLOR", "blue"));
  assert_str(*stack.get("COLOR"), "blue");
  assert_false(stack.set_session("LOCKED", "no"));
  assert_str(*stack.get("LOCKED"), "yes");
  stack.restore(1);
  assert_str(*stack.get("COLOR"), "red");
  assert_true(stack.defining_level("COLOR") == site.get());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(small_pool),
      cmocka_unit_test(large_pool),
      cmocka_unit_test(internals_override_and_come_back),
      cmocka_unit_test(session_and_final),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
