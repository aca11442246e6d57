/// A management error ID is what a refused SET or COMMAND fails with (IEEE 1588-2019 15.5.4.1.4),
/// so `Result<_, ManagementErrorID>` can carry it from the daemon back to the reply.
extension ManagementErrorID: Error {}
