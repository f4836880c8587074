"""SimPy execution of compiled processes: arrivals, agencies, calendars on simulated time, executors."""
