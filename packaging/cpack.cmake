# Binary packages with CPack: `cpack -G DEB` in a build configured with
#   -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo
# (.ci/setup configures build/ so; tests/packaging/deb_test.sh packages it). The prefix matters
# because it fixes the compiled-in data directory (TCPTUNE_DATADIR, /usr/share/tcptune). CPack rather than a debian/ directory: the CMake install rules
# stay the one description of what is installed where, and dpkg-shlibdeps still computes the
# library dependencies. The RPM is built with rpmbuild from the spec generated from packaging/rpm/tcptune.spec.in.

# The binary that `cmake --install` and the packages ship: the same program as `tcptune`, linked
# with its own copy of src/platform/data_dirs.cc compiled without the source-tree fallback
# (TCPTUNE_SOURCE_DATADIR is a private definition of tcptune_platform only). That object defines
# every symbol of data_dirs.cc, so the linker never extracts the archive's copy. Two compiles and
# a link instead of a second build tree: CPack packages the developer build directly.
add_executable(tcptune_installed src/cli/main.cc src/platform/data_dirs.cc)
target_link_libraries(tcptune_installed PRIVATE tcptune_cli)
set_target_properties(tcptune_installed PROPERTIES OUTPUT_NAME tcptune
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/installed)
install(TARGETS tcptune_installed RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The packages' licence as an SPDX identifier, set here and nowhere else: the RPM spec and the
# Debian copyright file are generated from it. The project has not chosen a licence yet.
set(TCPTUNE_LICENSE "LicenseRef-Unspecified")
configure_file(${PROJECT_SOURCE_DIR}/packaging/rpm/tcptune.spec.in ${PROJECT_BINARY_DIR}/packaging/tcptune.spec @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/packaging/deb/copyright.in ${PROJECT_BINARY_DIR}/packaging/copyright @ONLY)

# Man page, completions and the metrics units. Paths are relative to the prefix (/usr).
install(FILES ${PROJECT_SOURCE_DIR}/packaging/man/tcptune.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/completions/tcptune.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME tcptune)
set(TCPTUNE_ZSH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions" CACHE STRING
    "Where _tcptune goes (Debian: share/zsh/vendor-completions; Fedora: share/zsh/site-functions)")
install(FILES ${PROJECT_SOURCE_DIR}/packaging/completions/_tcptune DESTINATION ${TCPTUNE_ZSH_COMPLETION_DIR})
set(TCPTUNE_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING "Where the metrics service and timer go")
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/tcptune-metrics.service
              ${PROJECT_SOURCE_DIR}/packaging/systemd/tcptune-metrics.timer
        DESTINATION ${TCPTUNE_SYSTEMD_UNIT_DIR})
# Alerting rules for Prometheus, and the Ansible collection's source (ansible-galaxy collection
# install /usr/share/tcptune/ansible, or build it there).
install(FILES ${PROJECT_SOURCE_DIR}/packaging/prometheus/tcptune.rules.yml DESTINATION ${CMAKE_INSTALL_DATADIR}/tcptune/prometheus)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/packaging/ansible/ DESTINATION ${CMAKE_INSTALL_DATADIR}/tcptune/ansible
        PATTERN "tests/output" EXCLUDE PATTERN "*.tar.gz" EXCLUDE PATTERN "__pycache__" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/exit-codes.md
              ${PROJECT_SOURCE_DIR}/docs/report-schema.md ${PROJECT_SOURCE_DIR}/docs/rule-language.md
              ${PROJECT_SOURCE_DIR}/docs/prometheus.md ${PROJECT_SOURCE_DIR}/docs/profiles.md ${PROJECT_SOURCE_DIR}/docs/fleet.md
              ${PROJECT_SOURCE_DIR}/docs/netns.md ${PROJECT_SOURCE_DIR}/docs/kernel-claims.md
              ${PROJECT_SOURCE_DIR}/docs/configuration.md ${PROJECT_SOURCE_DIR}/docs/snapshot-schema.md
              ${PROJECT_BINARY_DIR}/packaging/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})


set(CPACK_PACKAGE_NAME tcptune)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "tcptune maintainers <tcptune@users.noreply.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "advisor and tuner for Linux TCP connection-lifecycle sysctls")
set(CPACK_PACKAGE_DESCRIPTION
    "tcptune reads the live TCP settings, the persisted sysctl configuration, the socket-state
census and the kernel's TCP counters, runs a declarative rule set over them and explains what
it finds. It can apply workload profiles with a rollback journal, write sysctl.d files, and
export its audit as Prometheus metrics.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus-node-exporter, ansible-core")
set(CPACK_GENERATOR DEB)
include(CPack)
