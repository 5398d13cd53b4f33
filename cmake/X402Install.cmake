# `cmake --install build` makes the library usable as find_package(x402) -> x402::x402.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS x402 x402_cli EXPORT x402Targets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/x402 DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT x402Targets NAMESPACE x402:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/x402)
configure_package_config_file(cmake/x402Config.cmake.in ${PROJECT_BINARY_DIR}/x402Config.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/x402)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/x402ConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/x402Config.cmake ${PROJECT_BINARY_DIR}/x402ConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/x402)
