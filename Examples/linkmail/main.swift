print("linkmail: not yet")
