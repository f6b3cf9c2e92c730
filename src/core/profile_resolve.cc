#include "core/profile_resolve.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/did_you_mean.h"

namespace tcptune::core {
namespace {

class Resolver {
 public:
  explicit Resolver(const ProfileSet& set) : set_(set) {}

  Status apply(const Profile& p) {
    stack_.push_back(p.name);
    for (size_t i = 0; i < p.include.size(); ++i) {
      const std::string& inc = p.include[i];
      const SourceLoc& at = i < p.include_where.size() ? p.include_where[i] : p.where;
      if (std::find(stack_.begin(), stack_.end(), inc) != stack_.end()) {
        auto from = std::find(stack_.begin(), stack_.end(), inc);
        std::vector<std::string> cycle(from, stack_.end());
        cycle.push_back(inc);
        return make_file_error(at, fmt::format("include cycle: {}", fmt::join(cycle, " -> ")));
      }
      const Profile* child = set_.find(inc);
      if (!child) {
        return make_file_error(at, fmt::format("unknown profile '{}' in include{}", inc,
                                               did_you_mean(inc, set_.names())));
      }
      if (done_.contains(inc)) continue;  // diamond: already applied once
      if (stack_.size() >= kMaxIncludeDepth) {
        return make_file_error(at, fmt::format("includes nested deeper than {} profiles ({} -> ... -> {} -> {})",
                                               kMaxIncludeDepth, stack_.front(), stack_.back(), inc));
      }
      if (auto st = apply(*child); !st) return st;
    }
    for (const auto& s : p.settings) set_value(s, p.name);
    done_.insert(p.name);
    out_.applied.push_back(p.name);
    stack_.pop_back();
    return ok_status();
  }

  ResolvedProfile take() { return std::move(out_); }

 private:
  void set_value(const ProfileSetting& s, const std::string& origin) {
    auto it = std::find_if(out_.settings.begin(), out_.settings.end(),
                           [&](const ResolvedProfileSetting& r) { return r.setting.key == s.key; });
    if (it == out_.settings.end()) {
      out_.settings.push_back({s, origin, stack_, {}});
      return;
    }
    const auto& old = it->setting;
    it->overridden.push_back({it->origin, old.kernel_default ? "kernel default" : old.value});
    it->setting = s;
    it->origin = origin;
    it->chain = stack_;
  }

  const ProfileSet& set_;
  std::vector<std::string> stack_;
  std::set<std::string> done_;
  ResolvedProfile out_;
};

}  // namespace

Result<ResolvedProfile> resolve_profile(const ProfileSet& set, const std::string& name) {
  const Profile* p = set.find(name);
  if (!p) {
    const std::string near = closest_match(name, set.names());
    // The name is the caller's (the command line's): a usage error.
    return as_usage(make_error(fmt::format("profile '{}'", name), "no such profile", 0,
                               near.empty() ? "run 'tcptune profiles' to list the profiles"
                                            : fmt::format("did you mean '{}'?", near)));
  }
  Resolver r(set);
  if (auto st = r.apply(*p); !st) return st.error();
  ResolvedProfile out = r.take();
  out.name = p->name;
  out.description = p->description;
  out.path = p->path;
  return out;
}

}  // namespace tcptune::core
