// The store: a Foswiki data/ and pub/ tree, read and written exactly as
// Foswiki 2's PlainFileStore does, so that Foswiki can take over again at any
// time.
//
// On disk (W = web path with '/', T = topic, A = attachment):
//   data/W/WebPreferences.txt     makes W a web
//   data/W/T.txt                  the latest revision of T
//   data/W/T,pfv/N, N.m           revision N (the latest too), and its author
//                                 ("cUID\ncomment", no final newline)
//   pub/W/T/A                     the latest revision of attachment A
//   data/W/T,pfv/ATTACHMENTS/A/N, N.m   its revisions
//   data/W/.changes               the web's recent changes, one JSON array
//   data/W/T.txt,v                RCS history of sites that used Foswiki's RCS
//                                 store: read, never written
// A revision's number is its history file's name; its date is that file's
// mtime; its author and comment come from N.m.  A T.txt newer than its top
// history file holds a revision not yet recorded ("implicit"), which a save
// records first, as Foswiki does.
//
// Concurrency.  Every write replaces files atomically (temporary file, fsync,
// rename), so a reader sees a whole old or a whole new file.  Writers to one
// web are serialised by an flock() on the web's directory, which holds across
// threads and processes; Foswiki's own T.lock file is honoured and written,
// so a Foswiki running beside mod_cwiki on the same tree takes turns too.
//
// Memory.  The latest revision of each topic read is kept as an immutable
// snapshot, shared by the process's threads, and checked against the file's
// stat() on every read: a change made by another process, by Foswiki, or by
// hand is seen on the next request.  (A shared change counter would miss the
// changes made by Foswiki and by hand; stat() costs one system call.)  The
// snapshots are bounded by a budget in bytes, least recently used first out.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/cache.h"
#include "store/fs.h"
#include "store/meta.h"

namespace cwiki {

inline constexpr size_t kMaxTopicBytes = 32u << 20;  // a topic file larger than this is refused
inline constexpr std::string_view kUnknownUser = "BaseUserMapping_999";

struct RevInfo {
  int version = 0;
  std::string author;  // a cUID: a login name, or BaseUserMapping_NNN
  long long date = 0;  // seconds since the epoch
  std::string comment;
};

// One revision of a topic, as read.
struct TopicSnapshot {
  TopicDoc doc;
  RevInfo info;
};
using TopicPtr = std::shared_ptr<const TopicSnapshot>;

// One entry of a web's .changes.
struct Change {
  std::string verb;  // insert, update, remove, copy
  std::string cuid;
  int revision = 0;
  std::string path;  // "Web.Topic" (subwebs with '/')
  std::string oldpath, attachment, oldattachment, comment;
  bool minor = false;
  long long time = 0;
};

struct StoreOptions {
  std::string data_dir;
  std::string pub_dir;
  size_t cache_bytes = 64u << 20;
  int replace_window_s = 3600;         // {ReplaceIfEditedAgainWithin}
  long long remember_changes_s = 2678400;  // {Store}{RememberChangesFor}
  int lock_timeout_ms = 10000;         // how long a save waits for another one
  int foswiki_lock_break_s = 120;      // a T.lock older than this is stale
};

struct SaveOptions {
  std::string author = std::string(kUnknownUser);  // cUID
  std::string comment;
  bool force_new_revision = false;  // never replace the latest revision
  bool minor = false;
  long long forcedate = 0;          // the revision's date, instead of now
};

struct SaveResult {
  int revision = 0;
  bool replaced = false;  // the latest revision was replaced (repRev)
  std::string error;      // the save did not happen; nothing was changed
  std::string warning;    // the save happened, but something beside it failed
  bool ok() const { return error.empty(); }
};

class Store {
 public:
  explicit Store(StoreOptions opts, const Fs& fs = posix_fs());

  const StoreOptions& options() const { return opts_; }

  // ---- webs ----
  bool web_exists(std::string_view web) const;
  // Subwebs of `parent` ("" for the top level) as full paths, sorted; with
  // `recursive`, their subwebs too; hidden webs (_default) only when asked.
  std::vector<std::string> webs(std::string_view parent = {}, bool recursive = false,
                                bool hidden = false) const;
  // Creates `web` from `template_web` (all its topics when its name starts
  // with '_', otherwise its Web* topics), each as a new topic at revision 1,
  // with the attachments its META lists.  Returns "" or an error.
  std::string create_web(std::string_view web, std::string_view template_web,
                         const SaveOptions& opts);

  // ---- topics ----
  std::vector<std::string> topics(std::string_view web) const;  // sorted
  bool topic_exists(std::string_view web, std::string_view topic) const;

  // The latest revision (cached).  nullptr when the topic does not exist or
  // cannot be read; `error` then says which.
  TopicPtr read(std::string_view web, std::string_view topic, std::string* error = nullptr) const;
  // Revision `rev` (0 or out of range: the latest).
  std::optional<TopicSnapshot> read_rev(std::string_view web, std::string_view topic, int rev,
                                        std::string* error = nullptr) const;
  // All revisions, newest first.  Empty when the topic does not exist.
  std::vector<RevInfo> history(std::string_view web, std::string_view topic) const;

  // Saves `doc` as a new revision (or replaces the latest one, when the same
  // author saves again within replace_window_s and force_new_revision is off).
  // TOPICINFO is set by the store.  Saving WebPreferences creates its web.
  SaveResult save(std::string_view web, std::string_view topic, TopicDoc doc,
                  const SaveOptions& opts);

  // ---- attachments ----
  bool attachment_exists(std::string_view web, std::string_view topic, std::string_view name) const;
  std::optional<std::string> read_attachment(std::string_view web, std::string_view topic,
                                             std::string_view name, int rev = 0,
                                             std::string* error = nullptr) const;
  std::vector<RevInfo> attachment_history(std::string_view web, std::string_view topic,
                                          std::string_view name) const;
  // Stores a new revision of attachment `name`, then records it in the
  // topic's META (FILEATTACHMENT) with a save of the topic, as Foswiki does.
  SaveResult attach(std::string_view web, std::string_view topic, std::string_view name,
                    std::string_view data, const SaveOptions& opts);

  // ---- changes ----
  // The web's changes at or after `since`, newest first.
  std::vector<Change> changes(std::string_view web, long long since = 0) const;

  // ---- paths (empty when a name breaks the naming rules) ----
  std::string topic_path(std::string_view web, std::string_view topic) const;
  std::string history_dir(std::string_view web, std::string_view topic) const;
  std::string web_dir(std::string_view web) const;
  std::string pub_path(std::string_view web, std::string_view topic, std::string_view name) const;

  struct CacheStats {
    size_t entries, bytes, budget;
    unsigned long long hits, misses;
  };
  CacheStats cache_stats() const;

 private:
  struct WebListing {
    std::vector<std::string> topics;   // sorted
    std::vector<std::string> subdirs;  // directories named as a web can be, sorted
  };

  std::shared_ptr<const WebListing> listing(std::string_view web) const;
  TopicPtr read_latest(std::string_view web, std::string_view topic, std::string* error) const;
  std::shared_ptr<const WebListing> dir_listing(const std::string& dir) const;
  void collect_webs(const std::string& dir, const std::string& prefix, bool recursive,
                    bool hidden, std::vector<std::string>& out) const;
  int num_revisions(const std::string& latest, const std::string& hist_dir, bool* implicit) const;
  RevInfo rev_info(const std::string& latest, const std::string& hist_dir, int rev,
                   int latest_rev, bool implicit) const;
  std::string record_damage(const std::string& latest, const std::string& hist_dir) const;
  std::string append_change(std::string_view web, Change c) const;
  SaveResult save_locked(std::string_view web, std::string_view topic, TopicDoc doc,
                         const SaveOptions& opts);

  StoreOptions opts_;
  const Fs& fs_;
  mutable StatCache<TopicSnapshot> topic_cache_;
  mutable StatCache<WebListing> listing_cache_;
};

}  // namespace cwiki
