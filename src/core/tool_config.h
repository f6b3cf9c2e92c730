// tcptune's own settings file (/etc/tcptune/tcptune.toml, or `tcptune audit --config FILE`) and
// the resolution of user thresholds. Pure: the CLI reads the file and passes its text.
//
//   [threshold]
//   close_wait_per_port = 100     # names are declared in the rule files ([threshold.NAME])
//   [audit]
//   profile = "chat-long"         # the default for --profile
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expr_value.h"
#include "core/result.h"
#include "core/rule.h"

namespace tcptune::core {

struct ToolConfig {
  struct ThresholdSetting {
    std::string name;
    int64_t value = 0;
    SourceLoc where;  // of the key
  };
  std::vector<ThresholdSetting> thresholds;  // in file order
  std::optional<std::string> profile;
  std::optional<SourceLoc> profile_where;
};

// Parses the file. Unknown sections and fields are located errors with did-you-mean; threshold
// values must be integers >= 0. Threshold names are checked later (resolve_thresholds), when the
// rule files that declare them are known.
Result<ToolConfig> parse_tool_config(std::string_view text, const std::string& path);

// The threshold values for an audit: the declared defaults, then the file's values, then each
// `--set threshold.NAME=VALUE` in order. An unknown name is an error with did-you-mean (located
// in the file, or naming the --set argument).
Result<Thresholds> resolve_thresholds(const std::map<std::string, ThresholdDecl>& declared, const ToolConfig& file,
                                      const std::vector<std::string>& sets);

// A profile name as --profile accepts it: 1-64 lowercase letters, digits, '-' and '_'.
bool valid_profile_name(std::string_view name);

}  // namespace tcptune::core
