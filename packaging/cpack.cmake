# Binary packages with CPack: `cpack -G DEB` in a build configured with
#   -DCMAKE_INSTALL_PREFIX=/usr -DTCPTUNE_USE_SOURCE_DATA=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
# (.ci/packages does exactly that). CPack rather than a debian/ directory: the CMake install rules
# stay the one description of what is installed where, and dpkg-shlibdeps still computes the
# library dependencies. The RPM is built from packaging/rpm/tcptune.spec with rpmbuild instead.

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
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/exit-codes.md
              ${PROJECT_SOURCE_DIR}/docs/report-schema.md ${PROJECT_SOURCE_DIR}/docs/rule-language.md
              ${PROJECT_SOURCE_DIR}/docs/prometheus.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

if(TCPTUNE_USE_SOURCE_DATA)
  message(STATUS "tcptune: TCPTUNE_USE_SOURCE_DATA is ON; packages must be built with it OFF")
endif()

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
