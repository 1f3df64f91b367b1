"""Work outreach's leading worker does beside relay and projector (ServiceDefinition.leader_tasks)."""
