/// AccountLinking: see the target's documentation catalog.
enum AccountLinkingModule {}
