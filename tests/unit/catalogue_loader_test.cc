#include "core/catalogue_loader.h"

#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "platform/fs_util.h"

namespace tcptune::core {
namespace {

// A minimal valid entry; tests append or replace lines to break it one way at a time.
const std::string kEntry =
    "[[sysctl]]\n"
    "key = \"net.ipv4.tcp_fin_timeout\"\n"
    "type = \"integer\"\n"
    "unit = \"seconds\"\n"
    "default = \"60\"\n"
    "scope = \"netns\"\n"
    "meaning = \"m\"\n"
    "source = \"s\"\n";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return text.replace(pos, from.size(), to);
}

std::string error_of(const std::string& text) {
  auto r = load_catalogue(text, "rules/catalogue.toml");
  return r ? std::string("(loaded)") : r.error().render();
}

TEST(CatalogueLoader, LoadsAMinimalEntryWithDefaults) {
  auto r = load_catalogue(kEntry + "min = 0\nmax = 9\nadded_in = \"6.14\"\n"
                          "older_defaults = [{ until = \"5.4\", value = \"128\" }]\n",
                          "c.toml");
  ASSERT_TRUE(r) << r.error().render();
  const CatalogueEntry* e = r->find("net.ipv4.tcp_fin_timeout");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->type, "integer");
  EXPECT_EQ(e->fields, 1);
  EXPECT_EQ(e->min, 0);
  EXPECT_EQ(e->max, 9);
  EXPECT_EQ(e->added_in, (KernelVersion{6, 14, 0}));
  EXPECT_FALSE(e->removed_in.has_value());
  EXPECT_EQ(e->line, 1);
  EXPECT_EQ(e->default_on(KernelVersion{4, 9, 0}), "128");
  EXPECT_FALSE(e->default_on(KernelVersion{6, 18, 0}).has_value());
  EXPECT_FALSE(e->exists_on(KernelVersion{6, 13, 0}));
  EXPECT_TRUE(e->exists_on(KernelVersion{6, 14, 0}));
}

TEST(CatalogueLoader, UnknownFieldSuggestsTheNearestName) {
  EXPECT_EQ(error_of(kEntry + "defualt_value = \"60\"\n"),
            "rules/catalogue.toml:9:1: error: unknown field 'defualt_value' "
            "(did you mean 'default_value'?)");
  EXPECT_EQ(error_of(kEntry + "sysctl_name = \"x\"\n"),
            "rules/catalogue.toml:9:1: error: unknown field 'sysctl_name'");
  EXPECT_EQ(error_of("sysctls = 1\n"),
            "rules/catalogue.toml:1:1: error: unknown top-level field 'sysctls' "
            "(did you mean 'sysctl'?)");
}

TEST(CatalogueLoader, WrongTypesAreLocatedAtTheValue) {
  EXPECT_EQ(error_of(kEntry + "min = \"0\"\n"),
            "rules/catalogue.toml:9:7: error: field 'min' must be an integer, not a string");
  EXPECT_EQ(error_of(kEntry + "interactions = [\"a\", 3]\n"),
            "rules/catalogue.toml:9:22: error: elements of 'interactions' must be strings, "
            "not an integer");
  EXPECT_EQ(error_of(kEntry + "jiffies = 1\n"),
            "rules/catalogue.toml:9:11: error: field 'jiffies' must be a boolean, not an integer");
  EXPECT_EQ(error_of("[sysctl]\nkey = \"a.b\"\n"),
            "rules/catalogue.toml:1:1: error: 'sysctl' must be an array of tables "
            "([[sysctl]]), not a table");
}

TEST(CatalogueLoader, InvalidValuesAreRejected) {
  EXPECT_EQ(error_of(replaced(kEntry, "\"integer\"", "\"integr\"")),
            "rules/catalogue.toml:3:8: error: unknown type 'integr' (did you mean 'integer'?)");
  EXPECT_EQ(error_of(replaced(kEntry, "\"netns\"", "\"netsn\"")),
            "rules/catalogue.toml:6:9: error: unknown scope 'netsn' (did you mean 'netns'?)");
  EXPECT_EQ(error_of(kEntry + "added_in = \"4.x\"\n"),
            "rules/catalogue.toml:9:12: error: field 'added_in' is not a kernel version: '4.x' "
            "(expected X.Y or X.Y.Z)");
  EXPECT_EQ(error_of(replaced(kEntry, "\"net.ipv4.tcp_fin_timeout\"", "\"net.ipv4.tcp_*\"")),
            "rules/catalogue.toml:2:7: error: invalid sysctl key 'net.ipv4.tcp_*'");
  EXPECT_EQ(error_of(kEntry + "unverified = [\"scop\"]\n"),
            "rules/catalogue.toml:9:15: error: unknown field 'scop' in 'unverified' "
            "(did you mean 'scope'?)");
  EXPECT_EQ(error_of(kEntry + "older_defaults = [{ until = \"5.4\", vaule = \"128\" }]\n"),
            "rules/catalogue.toml:9:36: error: unknown field 'vaule' in 'older_defaults' "
            "(did you mean 'value'?)");
}

TEST(CatalogueLoader, InconsistentEntriesAreLocatedAtTheHeader) {
  EXPECT_EQ(error_of(kEntry + "min = 5\nmax = 2\n"),
            "rules/catalogue.toml:1:1: error: sysctl 'net.ipv4.tcp_fin_timeout': min 5 is "
            "greater than max 2");
  EXPECT_EQ(error_of(kEntry + "fields = 2\n"),
            "rules/catalogue.toml:1:1: error: sysctl 'net.ipv4.tcp_fin_timeout': 'fields' is "
            "only allowed with type 'tuple', not 'integer'");
  EXPECT_EQ(error_of(kEntry + "added_in = \"6.5\"\nremoved_in = \"4.12\"\n"),
            "rules/catalogue.toml:1:1: error: sysctl 'net.ipv4.tcp_fin_timeout': removed_in "
            "4.12 is not after added_in 6.5");
}

TEST(CatalogueLoader, MissingRequiredFieldNamesTheEntry) {
  EXPECT_EQ(error_of(replaced(kEntry, "scope = \"netns\"\n", "")),
            "rules/catalogue.toml:1:1: error: sysctl 'net.ipv4.tcp_fin_timeout' is missing "
            "required field 'scope'");
  EXPECT_EQ(error_of(replaced(kEntry, "key = \"net.ipv4.tcp_fin_timeout\"\n", "")),
            "rules/catalogue.toml:1:1: error: sysctl entry is missing required field 'key'");
  EXPECT_EQ(error_of(""), "rules/catalogue.toml: error: no [[sysctl]] entries");
}

TEST(CatalogueLoader, DuplicateKeysPointAtTheSecondDefinition) {
  EXPECT_EQ(error_of(kEntry + "\n" + kEntry),
            "rules/catalogue.toml:11:7: error: duplicate sysctl 'net.ipv4.tcp_fin_timeout' "
            "(first defined at line 1)");
}

TEST(CatalogueLoader, TomlSyntaxErrorsAreLocated) {
  const std::string msg = error_of("[[sysctl]]\nkey = \n");
  EXPECT_EQ(msg.rfind("rules/catalogue.toml:2:7: error: ", 0), 0u) << msg;
}

// ---- notes (rules/catalogue-notes.toml) ----

std::string notes_error_of(const std::string& notes) {
  auto cat = load_catalogue(kEntry, "rules/catalogue.toml");
  EXPECT_TRUE(cat) << cat.error().render();
  if (!cat) return "(no catalogue)";
  auto st = load_catalogue_notes(*cat, notes, "rules/catalogue-notes.toml");
  return st ? std::string("(loaded)") : st.error().render();
}

TEST(CatalogueNotes, AddTheTextToTheirEntry) {
  auto cat = load_catalogue(replaced(replaced(kEntry, "meaning = \"m\"\n", ""), "source = \"s\"\n", ""),
                            "rules/catalogue.toml");
  ASSERT_TRUE(cat) << cat.error().render();
  EXPECT_EQ(cat->find("net.ipv4.tcp_fin_timeout")->meaning, "");
  auto st = load_catalogue_notes(*cat,
                                 "[[sysctl]]\nkey = \"net.ipv4.tcp_fin_timeout\"\nmeaning = \"How long\"\n"
                                 "interactions = [\"a\", \"b\"]\nsource = \"tcp.h\"\nunit_text = \"s (jiffies)\"\n",
                                 "rules/catalogue-notes.toml");
  ASSERT_TRUE(st) << st.error().render();
  const CatalogueEntry& e = *cat->find("net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(e.meaning, "How long");
  EXPECT_EQ(e.interactions, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(e.source, "tcp.h");
  EXPECT_EQ(e.unit_text, "s (jiffies)");
  EXPECT_EQ(e.type, "integer");  // the catalogue's fields are kept
}

TEST(CatalogueNotes, ErrorsAreLocated) {
  EXPECT_EQ(notes_error_of("[[sysctl]]\nkey = \"net.ipv4.tcp_fin_timeot\"\nmeaning = \"x\"\n"),
            "rules/catalogue-notes.toml:2:7: error: notes for sysctl 'net.ipv4.tcp_fin_timeot', which the "
            "catalogue does not have");
  EXPECT_EQ(notes_error_of("[[sysctl]]\nkey = \"net.ipv4.tcp_fin_timeout\"\ntype = \"integer\"\n"),
            "rules/catalogue-notes.toml:3:1: error: field 'type' is not a note; it belongs in the catalogue");
  EXPECT_EQ(notes_error_of("[[sysctl]]\nkey = \"net.ipv4.tcp_fin_timeout\"\nmeanig = \"x\"\n"),
            "rules/catalogue-notes.toml:3:1: error: unknown field 'meanig' (did you mean 'meaning'?)");
  EXPECT_EQ(notes_error_of("[[sysctl]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n\n"
                           "[[sysctl]]\nkey = \"net.ipv4.tcp_fin_timeout\"\n"),
            "rules/catalogue-notes.toml:5:7: error: duplicate notes for sysctl 'net.ipv4.tcp_fin_timeout'");
  EXPECT_EQ(notes_error_of("[[sysctl]]\nmeaning = \"x\"\n"),
            "rules/catalogue-notes.toml:1:1: error: notes entry is missing required field 'key' (a string)");
  EXPECT_EQ(notes_error_of("[[sysctl]]\nkey = \"net.ipv4.tcp_fin_timeout\"\nsource = 3\n"),
            "rules/catalogue-notes.toml:3:10: error: field 'source' must be a string, not an integer");
}

// ---- the shipped catalogue against the kernel facts the project keeps ----

class ShippedCatalogue : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = std::string(TCPTUNE_SOURCE_DIR) + "/rules/catalogue.toml";
    auto text = platform::read_file(path);
    ASSERT_TRUE(text) << text.error().render();
    auto cat = load_catalogue(*text, "rules/catalogue.toml");
    ASSERT_TRUE(cat) << cat.error().render();
    auto notes = platform::read_file(std::string(TCPTUNE_SOURCE_DIR) + "/rules/catalogue-notes.toml");
    ASSERT_TRUE(notes) << notes.error().render();
    auto st = load_catalogue_notes(*cat, *notes, "rules/catalogue-notes.toml");
    ASSERT_TRUE(st) << st.error().render();
    cat_ = std::move(*cat);
  }
  const CatalogueEntry& at(const std::string& key) {
    const CatalogueEntry* e = cat_.find(key);
    EXPECT_NE(e, nullptr) << key;
    static const CatalogueEntry kMissing;
    return e ? *e : kMissing;
  }
  Catalogue cat_;
};

TEST_F(ShippedCatalogue, EveryKeyHasItsMeaningAndSourceInTheNotes) {
  for (const auto& [key, e] : cat_.entries) {
    EXPECT_FALSE(e.meaning.empty()) << key;
    EXPECT_FALSE(e.source.empty()) << key;
  }
}

TEST_F(ShippedCatalogue, AgreesWithKeyFacts) {
  const auto& recycle = at("net.ipv4.tcp_tw_recycle");
  EXPECT_EQ(recycle.removed_in, (KernelVersion{4, 12, 0}));
  EXPECT_FALSE(recycle.exists_on(KernelVersion{6, 18, 0}));
  EXPECT_TRUE(recycle.exists_on(KernelVersion{4, 9, 0}));
  EXPECT_EQ(at("net.ipv4.tcp_fin_timeout").default_text, "60");
  EXPECT_EQ(at("net.ipv4.tcp_fin_timeout").default_value, "60");
  EXPECT_TRUE(at("net.ipv4.tcp_fin_timeout").jiffies);
  EXPECT_FALSE(at("net.ipv4.tcp_fin_timeout").min.has_value());
  EXPECT_EQ(at("net.ipv4.tcp_keepalive_probes").max, 255);
  EXPECT_EQ(at("net.ipv4.tcp_tw_reuse").max, 2);
  EXPECT_EQ(at("net.ipv4.tcp_tw_reuse").default_on(KernelVersion{4, 9, 0}), "0");
  EXPECT_EQ(at("net.ipv4.tcp_tw_reuse_delay").added_in, (KernelVersion{6, 14, 0}));
  EXPECT_EQ(at("net.ipv4.tcp_syn_linear_timeouts").added_in, (KernelVersion{6, 5, 0}));
  EXPECT_EQ(at("net.ipv4.tcp_syn_retries").min, 1);
  EXPECT_EQ(at("net.ipv4.ip_local_port_range").fields, 2);
  EXPECT_EQ(at("net.ipv4.ip_local_port_range").default_on(KernelVersion{4, 1, 0}), "32768 61000");
  EXPECT_EQ(at("net.core.somaxconn").default_on(KernelVersion{4, 9, 0}), "128");
  EXPECT_EQ(at("net.core.rmem_max").default_on(KernelVersion{6, 17, 0}), "212992");
  EXPECT_EQ(at("net.core.rmem_max").default_on(KernelVersion{6, 18, 0}), "4194304");
  EXPECT_EQ(at("net.ipv4.tcp_max_orphans").scope, "global");
  EXPECT_EQ(at("net.core.wmem_max").scope, "netns-readonly");
  EXPECT_FALSE(at("net.ipv4.tcp_max_tw_buckets").default_value.has_value());
  EXPECT_EQ(at("net.netfilter.nf_conntrack_max").module, "nf_conntrack");
  EXPECT_EQ(at("net.ipv4.tcp_fastopen").added_in, (KernelVersion{3, 6, 0}));
  EXPECT_EQ(at("net.ipv4.tcp_ehash_entries").added_in, (KernelVersion{6, 1, 0}));
}

// What `tcptune explain` prints must be a fact a user can look up, stated for every host: no
// private notes or experiment files, no drafting markers, nothing about the machine the
// catalogue was written on. (Its scopes and defaults are checked against the running kernel by
// tests/kernel/netns_test.cc.)
TEST_F(ShippedCatalogue, CitesOnlyPublicSourcesAndSpeaksOfNoParticularHost) {
  const std::regex banned(
      R"(KERNEL_FACTS|shared/|stored .*cop|corpus|stored mail|from memory|unverified|this VM|this host|on this .*kernel|)"
      R"(\.out\b|read live|live 6\.|\(live\b|live:|\bhere\b)",
      std::regex::icase);
  for (const auto& [key, e] : cat_.entries) {
    std::vector<std::string> texts = {e.default_text, e.unit_text, e.min_text, e.max_text, e.scope_text,
                                      e.added_text,   e.removed_text, e.meaning, e.source};
    texts.insert(texts.end(), e.interactions.begin(), e.interactions.end());
    texts.insert(texts.end(), e.misconceptions.begin(), e.misconceptions.end());
    for (const auto& t : texts) EXPECT_FALSE(std::regex_search(t, banned)) << key << ": " << t;
    EXPECT_TRUE(e.unverified.empty()) << key;
  }
}

}  // namespace
}  // namespace tcptune::core
