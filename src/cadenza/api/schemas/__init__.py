"""Request and response DTOs of the Camunda 7 REST API (camelCase on the wire)."""
