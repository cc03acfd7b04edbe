# mod_cwiki: build, run, test, benchmark, install.
#
#   make run     install what is missing, build, and serve the wiki on
#                http://127.0.0.1:$(PORT)/foswiki/ (Ctrl-C stops it)
#   make test    install what is missing, build, and run the whole test suite
#
# The module is compiled with g++ (C++20), not `apxs -c`, which builds an empty
# module from C++ sources.  The engine in src/ is a static library linked into
# the module and into the unit tests.

PORT       ?= 8080
CWIKI_ROOT ?= $(CURDIR)/site
CWIKI_SHARED ?= $(abspath $(CURDIR)/../shared)
export CWIKI_SHARED

CXX      ?= g++
CXXFLAGS ?= -O2 -g
APXS     ?= apxs

BUILD ?= build

# Debian packages needed to build, run and test.
DEB_PACKAGES = g++ make perl apache2 apache2-dev libapr1-dev libaprutil1-dev \
               libcmocka-dev libpcre2-dev nlohmann-json3-dev

HTTPD_CPPFLAGS = -I$(shell $(APXS) -q INCLUDEDIR 2>/dev/null) \
                 $(shell $(APXS) -q EXTRA_CPPFLAGS 2>/dev/null) \
                 $(shell apr-1-config --includes 2>/dev/null) \
                 $(shell apu-1-config --includes 2>/dev/null)
LIBEXECDIR = $(shell $(APXS) -q LIBEXECDIR 2>/dev/null)

# -Wmaybe-uninitialized misfires on std::optional members with g++ 12.
WARN      = -Wall -Wextra -Wno-unused-parameter -Wno-maybe-uninitialized
CWFLAGS   = -std=c++20 $(WARN) -fPIC -fvisibility=hidden -Isrc $(SANITIZE_FLAGS)
LIBS      = -lpcre2-8

ifeq ($(SANITIZE),1)
SANITIZE_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

ENGINE_SRC = $(sort $(wildcard src/*/*.c++))
ENGINE_OBJ = $(patsubst src/%.c++,$(BUILD)/obj/%.o,$(ENGINE_SRC))
UNIT_SRC   = $(sort $(wildcard t/unit/*_test.c++))
UNIT_BIN   = $(patsubst t/unit/%.c++,$(BUILD)/t/%,$(UNIT_SRC))

.PHONY: all deps deb-deps bench-deps fuzz run test unit unit-asan integration conformance bench install clean deb test-deb
.SECONDARY:

all: $(BUILD)/mod_cwiki.so

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "These Debian packages are missing. Install them, then run make again:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(BUILD)/obj/%.o: src/%.c++
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(CWFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libcwiki.a: $(ENGINE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/mod_cwiki.o: mod_cwiki.c++
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(CWFLAGS) $(HTTPD_CPPFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/mod_cwiki.so: $(BUILD)/obj/mod_cwiki.o $(BUILD)/libcwiki.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $(SANITIZE_FLAGS) -shared -o $@ $< $(BUILD)/libcwiki.a $(LIBS)
	@nm -D --defined-only $@ | grep -q ' cwiki_module$$' || { echo "cwiki_module is not exported from $@"; exit 1; }

$(BUILD)/obj/t/%.o: t/unit/%.c++
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(CWFLAGS) -It/unit -MMD -MP -c $< -o $@

$(BUILD)/t/%: $(BUILD)/obj/t/%.o $(BUILD)/libcwiki.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(SANITIZE_FLAGS) -o $@ $< $(BUILD)/libcwiki.a $(LIBS) -lcmocka

-include $(ENGINE_OBJ:.o=.d) $(BUILD)/obj/mod_cwiki.d $(UNIT_BIN:$(BUILD)/t/%=$(BUILD)/obj/t/%.d)

# The site the run target serves: an existing Foswiki root is served as it is;
# an empty or missing folder gets a copy of the site that ships in share/.
run: deps all
	@perl t/bin/cwiki-httpd run --port $(PORT) --root "$(CWIKI_ROOT)" \
	  --module $(CURDIR)/$(BUILD)/mod_cwiki.so

test: deps all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory unit-asan
	@$(MAKE) --no-print-directory conformance
	@$(MAKE) --no-print-directory integration
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory test-deb; \
	 else echo "test-deb: skipped (it installs the package, so it needs root)"; fi

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do \
	  echo "== $$t"; $$t || fail=1; \
	done; exit $$fail

unit-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 unit

integration: all
	@CWIKI_MODULE=$(CURDIR)/$(BUILD)/mod_cwiki.so prove -I t/lib t/

$(BUILD)/obj/bench/%.o: t/bench/%.c++
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(CWFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/libcwiki.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $< $(BUILD)/libcwiki.a $(LIBS) -lmd4c-html -lmd4c

CONF_SRC = $(sort $(wildcard t/conformance/*.c++))
CONF_OBJ = $(patsubst t/conformance/%.c++,$(BUILD)/obj/conformance/%.o,$(CONF_SRC))

$(BUILD)/obj/conformance/%.o: t/conformance/%.c++
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(CWFLAGS) -It/conformance -MMD -MP -c $< -o $@

$(BUILD)/t/conformance: $(CONF_OBJ) $(BUILD)/libcwiki.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(SANITIZE_FLAGS) -o $@ $(CONF_OBJ) $(BUILD)/libcwiki.a $(LIBS)

-include $(CONF_OBJ:.o=.d)

# Foswiki's own test vectors, replayed; fails below the floors in t/conformance/floors.
conformance: $(BUILD)/t/conformance
	@$(BUILD)/t/conformance --floor t/conformance/floors

# md4c (the renderer's yardstick) and ab (apache2-utils) for the benchmarks.
BENCH_PACKAGES = libmd4c-dev libmd4c-html0-dev apache2-utils
bench-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(DEB_PACKAGES) $(BENCH_PACKAGES)"

bench: bench-deps all $(BUILD)/bench/store_bench $(BUILD)/bench/render_bench $(BUILD)/bench/engine_bench
	@$(BUILD)/bench/store_bench
	@$(BUILD)/bench/render_bench
	@echo "view in-process (Engine::handle, no Apache), uncached pages:"
	@$(BUILD)/bench/engine_bench share share/templates /foswiki/bin/view/Main/WebHome 2000
	@if [ -d "$(CWIKI_SHARED)/foswiki/data" ]; then \
	  $(BUILD)/bench/engine_bench $(CWIKI_SHARED)/foswiki $(CWIKI_SHARED)/foswiki/templates \
	    /foswiki/bin/view/System/WebHome 2000; fi
	@CWIKI_MODULE=$(CURDIR)/$(BUILD)/mod_cwiki.so perl -I t/lib t/bench/view.pl

DESTDIR ?=
install: all
	install -D -m 644 $(BUILD)/mod_cwiki.so $(DESTDIR)$(LIBEXECDIR)/mod_cwiki.so
	install -D -m 644 conf/cwiki.load $(DESTDIR)/etc/apache2/mods-available/cwiki.load
	install -D -m 644 conf/cwiki.conf $(DESTDIR)/etc/apache2/mods-available/cwiki.conf
	install -D -m 644 share/bin/cwiki $(DESTDIR)/usr/share/cwiki/bin/cwiki
	mkdir -p $(DESTDIR)/usr/share/cwiki/templates
	cp share/templates/*.tmpl $(DESTDIR)/usr/share/cwiki/templates/
	mkdir -p $(DESTDIR)/usr/share/cwiki/site
	cp -R share/data share/pub share/robots.txt $(DESTDIR)/usr/share/cwiki/site/

# Coverage-guided fuzzing of the renderer (clang's libFuzzer, with ASan and
# UBSan), seeded with the topics of ../shared/foswiki and t/data/topics.
FUZZ_SECONDS ?= 600
FUZZ_PACKAGES = clang libclang-rt-14-dev
fuzz:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(DEB_PACKAGES) $(FUZZ_PACKAGES)"
	@mkdir -p build/fuzz/corpus build/fuzz/seeds
	clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Isrc \
	  t/fuzz/render_fuzz.c++ $(wildcard src/tml/*.c++ src/util/*.c++) src/store/names.c++ \
	  $(LIBS) -o build/fuzz/render_fuzz
	@cp t/data/topics/*.txt build/fuzz/seeds/ 2>/dev/null || true
	@if [ -d "$(CWIKI_SHARED)/foswiki/data" ]; then \
	  for f in $(CWIKI_SHARED)/foswiki/data/*/*.txt; do cp "$$f" "build/fuzz/seeds/$$(echo "$$f" | md5sum | cut -c1-12).txt"; done; fi
	build/fuzz/render_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=262144 -timeout=10 \
	  -rss_limit_mb=2048 -print_final_stats=1 build/fuzz/corpus build/fuzz/seeds

# The Debian package, built from a copy of the tree (dpkg-buildpackage writes
# beside the source); the .deb ends up in build/deb/.
DEB_BUILD_PACKAGES = debhelper dpkg-dev fakeroot lintian
deb-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(DEB_PACKAGES) $(DEB_BUILD_PACKAGES)"

deb: deb-deps
	rm -rf build/deb && mkdir -p build/deb/src
	tar --exclude=./build --exclude=./site --exclude=./.git -cf - . | tar -xf - -C build/deb/src
	cd build/deb/src && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

# Builds the package, installs it on this machine (as root), serves a page
# through the packaged configuration on a private loopback port, then
# disables and purges it and checks that /etc/apache2 is as it was.
test-deb: deb
	@bash t/deb/test-deb build/deb

clean:
	rm -rf build
