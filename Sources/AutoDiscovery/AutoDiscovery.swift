/// AutoDiscovery: see the target's documentation catalog.
enum AutoDiscoveryModule {}
