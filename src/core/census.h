// Socket-state census (filled in by the census issue). Placeholder shape: the snapshot carries
// an optional Census; the census work defines its content and JSON form in census_json.cc.
#pragma once

namespace tcptune::core {

struct Census {
  bool operator==(const Census&) const = default;
};

struct Counters {
  bool operator==(const Counters&) const = default;
};

}  // namespace tcptune::core
