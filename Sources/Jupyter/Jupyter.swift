/// The Jupyter messaging protocol (version 5.4) over ZeroMQ. Knows nothing of EELS.
public enum JupyterProtocol {
    /// The protocol version written in every header.
    public static let version = "5.4"
}
