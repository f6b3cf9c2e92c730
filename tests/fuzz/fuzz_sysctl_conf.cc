// sysctl.d files (core::parse_sysctl_conf) with any bytes, then the resolution of the parsed
// assignments as boot would apply them, the drift check and sysctl value classification.
#include "core/sysctl_conf_parse.h"
#include "core/sysctl_conf_resolve.h"
#include "core/sysctl_value.h"
#include "fuzz_common.h"

namespace {

void check_and_add(const tcptune::core::ParsedConf& parsed, const std::string& path,
                   tcptune::core::SysctlConfig& config) {
  using namespace tcptune;
  for (const auto& a : parsed.assignments) {
    fuzz::require(a.where.file == path, "assignment located in another file");
    fuzz::require(a.where.line >= 1 && a.where.col >= 1, "assignment at line/col 0");
    config.assignments.push_back(a);
    if (a.exclude || a.glob) continue;
    // Classification is a pure function of the text and stable under its own normalisation.
    const core::SysctlValue v = core::parse_sysctl_value(a.value);
    fuzz::require(core::parse_sysctl_value(v.text) == v, "parse_sysctl_value not idempotent");
    (void)core::value_differs(v, a.value);
    (void)core::value_differs(core::parse_sysctl_value("0 1 2"), a.value);
  }
  for (const auto& i : parsed.issues) {
    fuzz::require(i.where.file == path && i.where.line >= 1, "issue without location");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tcptune;
  const std::string_view text = fuzz::as_text(data, size);
  core::SysctlConfig config;
  // Debian 12's layout (platform/config_dirs.cc records the host's); the same bytes are read as
  // a sysctl.d file and as /etc/sysctl.conf so both readers' orders are exercised.
  config.layout.systemd_dirs = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d"};
  config.layout.procps_dirs = config.layout.systemd_dirs;
  config.layout.procps_dirs.push_back("/lib/sysctl.d");
  config.layout.procps_conf = "/etc/sysctl.conf";
  for (const std::string path : {"/etc/sysctl.d/50-fuzz.conf", "/etc/sysctl.conf"}) {
    const core::ParsedConf parsed = core::parse_sysctl_conf(text, path);
    config.files.push_back(core::ConfFile{path, {}, {}, false, {}, core::ConfReader::kNone});
    check_and_add(parsed, path, config);
  }
  core::annotate_files(config);
  const std::vector<std::string> known = {"net.ipv4.tcp_fin_timeout", "net.ipv4.conf.all.rp_filter",
                                          "net.ipv4.conf.eth0.rp_filter", "net.core.somaxconn"};
  const core::ResolvedConfig resolved = core::resolve_config(config, known);
  for (const auto& [key, setting] : resolved.settings) {
    fuzz::require(key == setting.key, "resolved map key differs from setting key");
  }
  // Whole input as one value and as a glob pattern against a key, both ways.
  const core::SysctlValue whole = core::parse_sysctl_value(text);
  fuzz::require(core::parse_sysctl_value(whole.text) == whole, "parse_sysctl_value not idempotent");
  (void)core::sysctl_glob_match(text, "net.ipv4.conf.all.rp_filter");
  return 0;
}
