// The built tcptune against real network namespaces: `ip netns add` namespaces (names unique per
// test run) with their own sysctl values and socket populations (sockhelper), one unnamed
// namespace holding only a process, and the host view checked unchanged. Needs root; skips with
// a reason otherwise. Never writes a sysctl of the host's namespace.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_binary.h"

#ifdef TCPTUNE_SOCKHELPER

namespace {

using nlohmann::json;
using tcptune::testing::run_tcptune;

int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

std::string skip_reason() {
  if (::geteuid() != 0) return "needs root to create network namespaces (ip netns add)";
  const std::string probe = fmt::format("ttprobe{}", ::getpid());
  if (sh("ip netns add " + probe) != 0) return "cannot create a named network namespace here (ip netns add)";
  sh("ip netns del " + probe);
  return {};
}

#define SKIP_UNLESS_NETNS()                \
  do {                                     \
    const std::string why = skip_reason(); \
    if (!why.empty()) GTEST_SKIP() << why; \
  } while (0)

uint64_t inode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

std::string host_sysctl(const std::string& proc_path) {
  std::ifstream f("/proc/sys/" + proc_path);
  std::string v;
  std::getline(f, v);
  return v;
}

// A named namespace that lives as long as the object; sysctls are written inside it only.
class NamedNetns {
 public:
  explicit NamedNetns(const std::string& tag) : name_(fmt::format("tt{}-{}", ::getpid(), tag)) {
    ok_ = sh("ip netns add " + name_) == 0;
  }
  ~NamedNetns() { sh("ip netns del " + name_); }
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  uint64_t inode() const { return inode_of("/run/netns/" + name_); }
  bool set(const std::string& key, const std::string& value) const {
    return sh(fmt::format("ip netns exec {} sysctl -w {}={}", name_, key, value)) == 0;
  }

 private:
  std::string name_;
  bool ok_ = false;
};

// sockhelper holding a population until destroyed; `prefix` puts it in a namespace.
class Helper {
 public:
  Helper(const std::string& prefix, const std::string& args) {
    f_ = ::popen(fmt::format("exec {} {} {}", prefix, TCPTUNE_SOCKHELPER, args).c_str(), "r");
    char line[64];
    if (f_ && std::fgets(line, sizeof line, f_)) pid_ = std::atoi(line);
    if (f_ && std::fgets(line, sizeof line, f_)) ready_ = std::string(line) == "ready\n";
  }
  ~Helper() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    if (f_) ::pclose(f_);
  }
  int pid() const { return ready_ ? pid_ : 0; }

 private:
  FILE* f_ = nullptr;
  int pid_ = 0;
  bool ready_ = false;
};

// The entries of an --all-netns report with this inode.
std::vector<json> entries(const json& report, uint64_t inode) {
  std::vector<json> out;
  for (const auto& ns : report["namespaces"])
    if (ns["inode"] == inode) out.push_back(ns);
  return out;
}

std::string differing(const json& ns, const std::string& key) {
  for (const auto& d : ns["differs_from_host"])
    if (d["key"] == key) return d["netns"];
  return "(same as host)";
}

TEST(NetnsCli, AllNetnsFindsEachNamespaceOnceWithItsOwnValuesAndCounts) {
  SKIP_UNLESS_NETNS();
  const std::string host_fin = host_sysctl("net/ipv4/tcp_fin_timeout");
  const std::string host_somax = host_sysctl("net/core/somaxconn");
  const uint64_t host_inode = inode_of("/proc/self/ns/net");
  const std::string fin = host_fin == "17" ? "18" : "17";
  const std::string somax = host_somax == "1234" ? "1235" : "1234";

  NamedNetns a("a"), b("b"), c("c");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_TRUE(a.set("net.ipv4.tcp_fin_timeout", fin));
  ASSERT_TRUE(b.set("net.core.somaxconn", somax));
  Helper ha("ip netns exec " + a.name(), "--v4 9100 --estab 2 --tw 1");
  Helper hb("ip netns exec " + b.name(), "--v4 9200 --estab 3");
  Helper hd("unshare -n", "--v4 9300 --estab 1");  // unnamed: found through /proc/PID/ns/net
  ASSERT_TRUE(ha.pid() && hb.pid() && hd.pid());
  const uint64_t d_inode = inode_of(fmt::format("/proc/{}/ns/net", hd.pid()));

  const auto r = run_tcptune({"audit", "--all-netns", "--format", "json"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const json rep = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(rep.is_discarded()) << r.out;
  EXPECT_EQ(rep["schema"], "tcptune.netns-report");

  const auto host = entries(rep, host_inode);
  ASSERT_EQ(host.size(), 1u);
  EXPECT_TRUE(host[0]["host"].get<bool>());
  EXPECT_EQ(host[0]["label"], "host");
  EXPECT_EQ(rep["namespaces"][0]["inode"], host_inode);  // the host comes first

  const auto ea = entries(rep, a.inode());
  ASSERT_EQ(ea.size(), 1u);
  EXPECT_EQ(ea[0]["names"], json::array({a.name()}));
  EXPECT_EQ(ea[0]["label"], a.name());
  EXPECT_EQ(differing(ea[0], "net.ipv4.tcp_fin_timeout"), fin);
  EXPECT_EQ(differing(ea[0], "net.core.somaxconn"), "(same as host)");
  const json& ca = ea[0]["report"]["census"]["states"];
  EXPECT_EQ(ca["LISTEN"], 2);
  EXPECT_EQ(ca["ESTABLISHED"], 4);
  EXPECT_EQ(ca["TIME-WAIT"], 1);
  ASSERT_EQ(ea[0]["processes"].size(), 1u);
  EXPECT_EQ(ea[0]["processes"][0]["pid"], ha.pid());
  EXPECT_EQ(ea[0]["processes"][0]["command"], "sockhelper");

  const auto eb = entries(rep, b.inode());
  ASSERT_EQ(eb.size(), 1u);
  EXPECT_EQ(differing(eb[0], "net.core.somaxconn"), somax);
  EXPECT_EQ(eb[0]["report"]["census"]["states"]["ESTABLISHED"], 6);
  EXPECT_EQ(eb[0]["report"]["census"]["states"]["TIME-WAIT"], 0);

  const auto ec = entries(rep, c.inode());
  ASSERT_EQ(ec.size(), 1u);
  EXPECT_EQ(ec[0]["processes"].size(), 0u);
  EXPECT_EQ(ec[0]["report"]["census"]["total"], 0);

  const auto ed = entries(rep, d_inode);
  ASSERT_EQ(ed.size(), 1u);
  EXPECT_EQ(ed[0]["names"].size(), 0u);
  EXPECT_EQ(ed[0]["label"], fmt::format("pid {} (sockhelper)", hd.pid()));
  EXPECT_EQ(ed[0]["report"]["census"]["states"]["ESTABLISHED"], 2);
  EXPECT_EQ(ed[0]["report"]["census"]["states"]["LISTEN"], 2);

  // Host-global keys come from the host, marked as such.
  EXPECT_NE(std::find(ea[0]["global_keys"].begin(), ea[0]["global_keys"].end(), "net.ipv4.tcp_max_orphans"),
            ea[0]["global_keys"].end());
  // The host view is unchanged, and tcptune did not move this process.
  EXPECT_EQ(host_sysctl("net/ipv4/tcp_fin_timeout"), host_fin);
  EXPECT_EQ(host_sysctl("net/core/somaxconn"), host_somax);
  EXPECT_EQ(inode_of("/proc/self/ns/net"), host_inode);
  EXPECT_EQ(differing(host[0], "net.ipv4.tcp_fin_timeout"), "(same as host)");

  // The text report starts with the table: one row per namespace.
  const auto t = run_tcptune({"audit", "--all-netns", "--no-census"});
  ASSERT_TRUE(t.exit_code == 0 || t.exit_code == 1) << t.err;
  EXPECT_EQ(t.out.find("NETNS"), t.out.find('\n') + 2);
  const std::string row_a = t.out.substr(t.out.find(std::to_string(a.inode()) + "  " + a.name()));
  EXPECT_NE(row_a.substr(0, row_a.find('\n')).find("tcp_fin_timeout"), std::string::npos) << row_a;
}

TEST(NetnsCli, SnapshotAndSocketsInsideOneNamedNamespace) {
  SKIP_UNLESS_NETNS();
  NamedNetns a("snap");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a.set("net.ipv4.tcp_keepalive_time", "321"));
  Helper h("ip netns exec " + a.name(), "--v4 9400 --estab 2 --tw 2");
  ASSERT_TRUE(h.pid());

  const auto s = run_tcptune({"snapshot", "--netns", a.name()});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const json snap = json::parse(s.out, nullptr, false);
  ASSERT_FALSE(snap.is_discarded());
  EXPECT_EQ(snap["netns"]["inode"], a.inode());
  EXPECT_EQ(snap["netns"]["name"], a.name());
  EXPECT_EQ(snap["sysctls"]["net.ipv4.tcp_keepalive_time"]["text"], "321");
  // tcp_max_orphans is absent inside a child namespace; the snapshot carries the host's.
  EXPECT_EQ(snap["sysctls"]["net.ipv4.tcp_max_orphans"]["text"], host_sysctl("net/ipv4/tcp_max_orphans"));
  EXPECT_EQ(snap["census"]["states"]["TIME-WAIT"], 2);

  const auto k = run_tcptune({"sockets", "--netns-pid", std::to_string(h.pid()), "--format", "json"});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  const json c = json::parse(k.out, nullptr, false);
  ASSERT_FALSE(c.is_discarded()) << k.out;
  EXPECT_EQ(c["netns"]["inode"], a.inode());
  EXPECT_EQ(c["census"]["states"]["ESTABLISHED"], 4);
  EXPECT_EQ(c["census"]["states"]["TIME-WAIT"], 2);
  EXPECT_EQ(c["census"]["states"]["LISTEN"], 2);
}

TEST(NetnsCli, NamespaceLeftAtDefaultsUnderATunedHostIsFlagged) {
  SKIP_UNLESS_NETNS();
  // A stand-in "host" namespace with tuned keys (never the real host), and a fresh namespace.
  NamedNetns tuned("host"), fresh("fresh");
  ASSERT_TRUE(tuned.ok() && fresh.ok());
  ASSERT_TRUE(tuned.set("net.ipv4.tcp_fin_timeout", "20"));
  Helper h("ip netns exec " + fresh.name(), "--v4 9500 --estab 1");
  ASSERT_TRUE(h.pid());
  const std::string cmd = fmt::format("ip netns exec {} {} audit --netns {} --format json --fail-on warning",
                                      tuned.name(), TCPTUNE_BINARY, fresh.name());
  FILE* f = ::popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const int status = ::pclose(f);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);  // a warning with --fail-on warning
  const json rep = json::parse(out, nullptr, false);
  ASSERT_FALSE(rep.is_discarded()) << out;
  // One finding per key (item = the key); the namespace is named in the message and evidence.
  json finding;
  for (const auto& f2 : rep["findings"])
    if (f2["id"] == "TT-NETNS-001" && f2["item"] == "net.ipv4.tcp_fin_timeout") finding = f2;
  ASSERT_TRUE(finding.is_object()) << rep["findings"].dump();
  auto evidence = [&](const std::string& label) {
    for (const auto& e : finding["evidence"])
      if (e["label"] == label) return e["value"].get<std::string>();
    return std::string("(none)");
  };
  EXPECT_EQ(evidence("live"), "60");
  EXPECT_EQ(evidence("host"), "net.ipv4.tcp_fin_timeout = 20");
  EXPECT_EQ(evidence("kernel default"), "net.ipv4.tcp_fin_timeout = 60");
  EXPECT_EQ(evidence("process"), fmt::format("{} sockhelper", h.pid()));
  EXPECT_NE(finding["message"].get<std::string>().find(fmt::format("In network namespace {} ({}; pid {} sockhelper)",
                                                                   fresh.inode(), fresh.name(), h.pid())),
            std::string::npos)
      << finding["message"];
  EXPECT_NE(finding["message"].get<std::string>().find("net.ipv4.tcp_fin_timeout is 60, the kernel's compiled-in "
                                                       "default, while the host's value was tuned to 20."),
            std::string::npos)
      << finding["message"];
  EXPECT_EQ(rep["netns"]["processes"][0]["pid"], h.pid());
}

// The message of the TT-NETNS-002 finding about `key`, or "" when there is none.
std::string profile_message(const std::string& ns_name, const std::string& key) {
  const auto r = run_tcptune({"audit", "--netns", ns_name, "--profile", "http-short", "--format", "json"});
  const json rep = json::parse(r.out, nullptr, false);
  if (rep.is_discarded()) return "(no report: " + r.err + ")";
  for (const auto& f : rep["findings"]) {
    if (f["id"] == "TT-NETNS-002" && f["item"] == key) return f["message"];
  }
  return "";
}

TEST(NetnsCli, ProfileComparisonNamesKeysTheNamespaceLacks) {
  SKIP_UNLESS_NETNS();
  NamedNetns ns("prof");
  ASSERT_TRUE(ns.ok());
  // A fresh namespace has the compiled-in 60; http-short wants 30 (profiles/http-short.toml).
  const std::string msg = profile_message(ns.name(), "net.ipv4.tcp_fin_timeout");
  EXPECT_NE(msg.find("net.ipv4.tcp_fin_timeout is 60, not 30 as profile http-short sets it."), std::string::npos) << msg;
  EXPECT_NE(msg.find(fmt::format("In network namespace {} ({})", ns.inode(), ns.name())), std::string::npos) << msg;
  ASSERT_TRUE(ns.set("net.ipv4.tcp_fin_timeout", "30"));
  EXPECT_EQ(profile_message(ns.name(), "net.ipv4.tcp_fin_timeout"), "");
  // Without a namespace option --profile tells the host's rules the workload instead.
  const auto r = run_tcptune({"audit", "--profile", "http-short", "--no-census", "--format", "json"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

// A plain audit judges the host: netns_host is true, netns is "host", and profile_key /
// profile_value(k) carry what --profile sets. Needs no namespace and changes nothing.
TEST(NetnsCli, PlainAuditSeesTheHostAndTheProfileValues) {
  char tmpl[] = "/tmp/tt-netns-rules-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    std::ofstream out(dir + "/probe.toml");
    out << "[[rule]]\nid = \"TT-PROBE-001\"\nseverity = \"info\"\ntitle = \"probe\"\n"
           "for_each = \"profile_key\"\n"
           "when = 'netns_host and netns == \"host\" and profile_value(item) == profile_value(item)'\n"
           "message = \"{netns}: {item} = {profile_value(item)}\"\nrecommendation = \"none\"\nreferences = [\"test\"]\n";
  }
  const auto r = run_tcptune({"audit", "--rules", dir, "--profile", "http-short", "--no-census", "--format", "json"});
  std::remove((dir + "/probe.toml").c_str());
  ::rmdir(dir.c_str());
  const json rep = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(rep.is_discarded()) << r.err;
  std::map<std::string, std::string> seen;
  for (const auto& f : rep["findings"])
    if (f["id"] == "TT-PROBE-001") seen[f["item"]] = f["message"];
  EXPECT_EQ(seen["net.ipv4.tcp_fin_timeout"], "host: net.ipv4.tcp_fin_timeout = 30");  // profiles/http-short.toml
  EXPECT_EQ(seen["net.core.somaxconn"], "host: net.core.somaxconn = 4096");
  for (const auto& f : rep["findings"]) EXPECT_NE(f["id"].get<std::string>().rfind("TT-NETNS-", 0), 0u) << f.dump();
}

// Thresholds from tcptune.toml and --set judge namespaces as they judge the host.
TEST(NetnsCli, ThresholdsFromTheConfigurationAndSetReachNamespaceAudits) {
  SKIP_UNLESS_NETNS();
  NamedNetns ns("thr");
  ASSERT_TRUE(ns.ok());
  Helper h("ip netns exec " + ns.name(), "--v4 9500 --cw 3");  // 3 CLOSE-WAIT on :9500
  ASSERT_TRUE(h.pid());
  tcptune::testing::TempDir d;
  const std::string conf = d.path() + "/tcptune.toml";
  tcptune::testing::write_text(conf, "[threshold]\nclose_wait_per_port = 3\n");
  const auto closewait_items = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"audit", "--netns", ns.name(), "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_tcptune(args);
    const json rep = json::parse(r.out, nullptr, false);
    std::vector<std::string> items;
    if (rep.is_discarded()) return std::vector<std::string>{"(no JSON: " + r.err + ")"};
    for (const auto& f : rep["findings"])
      if (f["id"] == "TT-CLOSEWAIT-001") items.push_back(f["item"]);
    return items;
  };
  EXPECT_EQ(closewait_items({}), std::vector<std::string>{});  // default 50
  EXPECT_EQ(closewait_items({"--config", conf}), std::vector<std::string>{"9500"});
  EXPECT_EQ(closewait_items({"--config", conf, "--set", "threshold.close_wait_per_port=4"}), std::vector<std::string>{});
  EXPECT_EQ(closewait_items({"--set", "threshold.close_wait_per_port=2"}), std::vector<std::string>{"9500"});
  const auto bad = run_tcptune({"audit", "--netns", ns.name(), "--set", "threshold.close_wait_per_prt=2"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("close_wait_per_prt"), std::string::npos) << bad.err;
  const auto typo = run_tcptune({"audit", "--netns", ns.name(), "--profile", "chat-lng"});
  EXPECT_EQ(typo.exit_code, 2) << typo.err;
  EXPECT_EQ(typo.err, "tcptune: error: --profile chat-lng: no such profile (did you mean 'chat-long'?)\n"
                      "hint: run 'tcptune profiles' to list them\n");
}

TEST(NetnsCli, UnknownNamespaceAndRootAreErrors) {
  SKIP_UNLESS_NETNS();
  const std::string name = fmt::format("tt{}-missing", ::getpid());
  auto r = run_tcptune({"audit", "--netns", name});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, fmt::format("tcptune: error: /run/netns/{}: cannot open the named network namespace: "
                               "No such file or directory\nhint: list them with 'ip netns list'\n",
                               name));
  r = run_tcptune({"--root", "/tmp", "audit", "--all-netns"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "tcptune: error: --root: network namespaces can only be entered on the live host\n"
                   "hint: drop --root, or drop --netns/--netns-pid/--all-netns\n");
  r = run_tcptune({"audit", "--netns", "x", "--all-netns"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace

#endif  // TCPTUNE_SOCKHELPER
