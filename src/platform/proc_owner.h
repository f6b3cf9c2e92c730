// Owners of socket inodes, found by walking <root>/proc/<pid>/fd as `ss -p` does. Costly (one
// readlink per open fd on the host), so it runs only when the process view is asked for.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/census_aggregate.h"
#include "core/result.h"

namespace tcptune::platform {

// Calls claim(pid, inode) for every socket fd of every process under <root>/proc, and
// name(pid, command) once after each process for which claim() returned true at least once
// (so /proc/<pid>/comm is read only for holders). Processes whose fd directory cannot be read
// (EACCES when not root, or exited meanwhile) are skipped; *unreadable counts them. Nothing is
// stored per fd: memory does not grow with the number of open files.
core::Status walk_socket_fds(const std::string& root, const std::function<bool(int32_t, uint32_t)>& claim,
                             const std::function<void(int32_t, std::string)>& name, uint64_t* unreadable);

// Maps each wanted inode to the first process found holding it (a socket shared across fork()
// is attributed to one holder). Processes whose fd directory cannot be read (EACCES when not
// root, or exited meanwhile) are skipped; *unreadable counts them.
core::Result<std::unordered_map<uint32_t, core::InodeOwner>> find_socket_owners(
    const std::string& root, const std::unordered_set<uint32_t>& wanted, uint64_t* unreadable);

}  // namespace tcptune::platform
