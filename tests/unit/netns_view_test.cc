#include "core/netns_view.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tcptune::core {
namespace {

const std::string kId = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";

TEST(ContainerId, SystemdDriverScopes) {
  EXPECT_EQ(container_id_from_cgroup("0::/system.slice/docker-" + kId + ".scope\n"), kId);
  EXPECT_EQ(container_id_from_cgroup("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice/"
                                     "cri-containerd-" + kId + ".scope\n"),
            kId);
  EXPECT_EQ(container_id_from_cgroup("0::/machine.slice/libpod-" + kId + ".scope/container\n"), kId);
  EXPECT_EQ(container_id_from_cgroup("0::/kubepods.slice/crio-" + kId + ".scope\n"), kId);
}

TEST(ContainerId, CgroupfsDriverPathsAndV1Lines) {
  EXPECT_EQ(container_id_from_cgroup("12:pids:/docker/" + kId + "\n11:cpu:/docker/" + kId + "\n"), kId);
  EXPECT_EQ(container_id_from_cgroup("0::/kubepods/burstable/pod0b1c2d3e-aaaa-bbbb-cccc-000000000000/" + kId + "\n"),
            kId);
  // A v1 host line without an id first, then the line that names one.
  EXPECT_EQ(container_id_from_cgroup("9:name=systemd:/\n4:memory:/docker/" + kId + "\n"), kId);
}

TEST(ContainerId, NoContainer) {
  EXPECT_EQ(container_id_from_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n"), "");
  EXPECT_EQ(container_id_from_cgroup("4:memory:/process_api/8ca167eb51a98d45b0043a6d2acb8f08\n"), "");
  EXPECT_EQ(container_id_from_cgroup("0::/docker-" + kId.substr(1) + ".scope\n"), "");  // 63 digits
  EXPECT_EQ(container_id_from_cgroup("0::/docker/" + std::string(64, 'G') + "\n"), "");
  EXPECT_EQ(container_id_from_cgroup(""), "");
  EXPECT_EQ(container_id_from_cgroup("garbage without colons"), "");
}

TEST(NetnsLabel, PrefersHostThenNamesThenContainerThenProcess) {
  NetnsInfo ns;
  ns.inode = 4026532001;
  EXPECT_EQ(netns_label(ns), "(no process)");
  ns.processes = {{42, "nginx", ""}, {43, "worker", kId}};
  EXPECT_EQ(netns_label(ns), "container " + kId.substr(0, 12));
  EXPECT_EQ(netns_containers(ns), std::vector<std::string>{kId});
  ns.processes[1].container_id.clear();
  EXPECT_EQ(netns_label(ns), "pid 42 (nginx)");
  ns.names = {"blue", "green"};
  EXPECT_EQ(netns_label(ns), "blue,green");
  ns.is_host = true;
  EXPECT_EQ(netns_label(ns), "host");
}

TEST(NetnsShellPrefix, NamedThenFirstProcessAndQuotesWhatTheShellWouldSplit) {
  NetnsInfo ns;
  EXPECT_EQ(netns_shell_prefix(ns), "nsenter --net=FILE");
  ns.processes = {{42, "nginx", kId}, {43, "worker", ""}};
  EXPECT_EQ(netns_shell_prefix(ns), "nsenter -t 42 -n");
  ns.names = {"blue", "green"};
  EXPECT_EQ(netns_shell_prefix(ns), "ip netns exec blue");
  ns.names = {"cni-1a2b.3:x@y"};
  EXPECT_EQ(netns_shell_prefix(ns), "ip netns exec cni-1a2b.3:x@y");
  ns.names = {"it's $HOME"};
  EXPECT_EQ(netns_shell_prefix(ns), "ip netns exec 'it'\\''s $HOME'");
  ns.names = {"a;b"};
  EXPECT_EQ(netns_shell_prefix(ns), "ip netns exec 'a;b'");
  ns.is_host = true;
  EXPECT_EQ(netns_shell_prefix(ns), "");
}

class NetnsSnapshots : public ::testing::Test {
 protected:
  void SetUp() override {
    auto add = [&](const char* key, const char* scope, std::optional<std::string> def) {
      CatalogueEntry e;
      e.key = key;
      e.scope = scope;
      e.default_value = std::move(def);
      cat_.entries[key] = e;
    };
    add("net.ipv4.tcp_fin_timeout", "netns", "60");
    add("net.ipv4.tcp_keepalive_time", "netns", "7200");
    add("net.core.somaxconn", "netns", "4096");
    add("net.ipv4.tcp_max_tw_buckets", "netns", std::nullopt);  // memory-derived
    add("net.ipv4.tcp_max_orphans", "global", std::nullopt);
    add("net.core.netdev_max_backlog", "global", "1000");
    host_.kernel_release = "6.18.44-fc-v657";
    host_.tool_version = "t";
    host_.modules = {"nf_conntrack"};
    host_.modules_known = true;
    set(host_, "net.ipv4.tcp_fin_timeout", "15");       // tuned
    set(host_, "net.ipv4.tcp_keepalive_time", "600");   // tuned
    set(host_, "net.core.somaxconn", "4096");           // default on both
    set(host_, "net.ipv4.tcp_max_tw_buckets", "5000");  // tuned, but no fixed default
    set(host_, "net.ipv4.tcp_max_orphans", "65536");
    set(host_, "net.core.netdev_max_backlog", "2000");
    set(ns_, "net.ipv4.tcp_fin_timeout", "60");
    set(ns_, "net.ipv4.tcp_keepalive_time", "600");  // set inside the namespace too
    set(ns_, "net.core.somaxconn", "4096");
    set(ns_, "net.ipv4.tcp_max_tw_buckets", "131072");
    ns_.sysctls["net.ipv4.tcp_max_orphans"] = SysctlReading::absent();
    ns_.sysctls["net.core.netdev_max_backlog"] = SysctlReading::absent();
    ns_.netns.inode = 4026532500;
    info_.inode = 4026532500;
    info_.names = {"tt-blue"};
    info_.processes = {{77, "app", kId}};
  }
  static void set(Snapshot& s, const char* k, const char* v) { s.sysctls[k] = SysctlReading::of(v); }

  Catalogue cat_;
  Snapshot host_, ns_;
  NetnsInfo info_;
};

TEST_F(NetnsSnapshots, CompletionAdoptsHostGlobalsAndHostFacts) {
  ns_.gaps.push_back({"sysctl net.core.netdev_max_backlog", "No such file or directory"});
  ns_.gaps.push_back({"socket census", "kept"});
  const auto globals = complete_netns_snapshot(ns_, host_, info_, cat_);
  EXPECT_EQ(globals, (std::vector<std::string>{"net.core.netdev_max_backlog", "net.ipv4.tcp_max_orphans"}));
  EXPECT_EQ(ns_.find("net.ipv4.tcp_max_orphans")->value.text, "65536");
  EXPECT_EQ(ns_.find("net.core.netdev_max_backlog")->value.text, "2000");
  EXPECT_EQ(ns_.kernel_release, host_.kernel_release);
  EXPECT_EQ(ns_.modules, host_.modules);
  EXPECT_EQ(ns_.netns.name, "tt-blue");
  EXPECT_EQ(ns_.netns.inode, 4026532500u);
  ASSERT_EQ(ns_.gaps.size(), 1u);
  EXPECT_EQ(ns_.gaps[0].what, "socket census");
}

TEST_F(NetnsSnapshots, DifferingKeysSkipGlobalsAndCompareNumerically) {
  complete_netns_snapshot(ns_, host_, info_, cat_);
  set(ns_, "net.core.somaxconn", "04096 ");  // same number, other spelling
  const auto d = differing_keys(host_, ns_, cat_);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], (KeyDifference{"net.ipv4.tcp_fin_timeout", "15", "60"}));
  EXPECT_EQ(d[1], (KeyDifference{"net.ipv4.tcp_max_tw_buckets", "5000", "131072"}));
}

TEST_F(NetnsSnapshots, DescriptionNamesInodeLabelProcessesAndContainers) {
  EXPECT_EQ(netns_description(info_), "network namespace 4026532500 (tt-blue; pid 77 app, container " +
                                          kId.substr(0, 12) + ")");
  info_.names.clear();
  info_.processes = {{5, "a", ""}, {6, "b", ""}, {7, "c", ""}, {8, "d", ""}, {9, "e", ""}};
  EXPECT_EQ(netns_description(info_),
            "network namespace 4026532500 (pid 5 a; pid 6 b; pid 7 c; 2 more processes)");
  info_.processes.clear();
  EXPECT_EQ(netns_description(info_), "network namespace 4026532500 (no process)");
  info_.is_host = true;
  EXPECT_EQ(netns_description(info_), "host");
}

TEST(LifecycleKeys, SortedAndDistinct) {
  const auto& keys = lifecycle_keys();
  ASSERT_FALSE(keys.empty());
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
}

}  // namespace
}  // namespace tcptune::core
