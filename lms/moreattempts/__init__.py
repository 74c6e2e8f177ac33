"""Ask HR for more attempts: a learner out of quiz attempts asks, HR grants or refuses."""
