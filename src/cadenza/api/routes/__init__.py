"""One router per Camunda REST resource."""
