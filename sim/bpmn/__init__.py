"""Reading BPMN files through SpiffWorkflow's parser, and writing them back with DI."""
