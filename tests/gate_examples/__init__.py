"""Small user-side modules the gate tests point ``orthoproof check`` at."""
