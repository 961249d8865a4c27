/// FolderRouting: see the target's documentation catalog.
enum FolderRoutingModule {}
