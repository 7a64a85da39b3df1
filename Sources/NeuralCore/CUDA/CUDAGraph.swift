/// A captured sequence of work on a stream (kernels, GEMMs, copies), replayed with one launch.
///
/// The paper's network is tiny, so launching ~70 kernels per training step would cost more than computing them;
/// a graph replays the whole step for a few microseconds of CPU time. Values that change between replays
/// (the batch, dropout seeds, Adam's alpha) live in memory that the captured copies and kernels read.
///
///     let graph = try CUDAGraph(capturing: gpu) { try runStep() }
///     try graph.launch()
public final class CUDAGraph {
    private let context: CUDAContext
    private let graph: OpaquePointer?
    private let executable: OpaquePointer?

    /// Captures everything `body` queues on the context's compute stream, then instantiates it.
    /// - Throws: the capture's or instantiation's `CUDAError`, or `body`'s error (the capture is ended either way).
    public init(capturing context: CUDAContext, _ body: () throws -> Void) throws {
        self.context = context
        let driver = context.driver
        try context.makeCurrent()
        try driver.check(driver.cuStreamBeginCapture(context.stream, CUDADriverAPI.captureModeThreadLocal),
                         "cuStreamBeginCapture")
        var captured: OpaquePointer?
        do {
            try body()
        } catch {
            _ = driver.cuStreamEndCapture(context.stream, &captured)
            if captured != nil { _ = driver.cuGraphDestroy(captured) }
            throw error
        }
        try driver.check(driver.cuStreamEndCapture(context.stream, &captured), "cuStreamEndCapture")
        var exec: OpaquePointer?
        let status = driver.cuGraphInstantiateWithFlags(&exec, captured, 0)
        if status != 0 { _ = driver.cuGraphDestroy(captured) }
        try driver.check(status, "cuGraphInstantiateWithFlags")
        graph = captured
        executable = exec
    }

    deinit {
        _ = context.driver.cuGraphExecDestroy(executable)
        _ = context.driver.cuGraphDestroy(graph)
    }

    /// Replays the graph on the compute stream (asynchronously).
    public func launch() throws {
        try context.driver.check(context.driver.cuGraphLaunch(executable, context.stream), "cuGraphLaunch")
    }
}
