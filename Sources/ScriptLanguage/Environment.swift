/// A variable's storage.
final class Binding {
    var value: Value
    let isLet: Bool
    let type: String?
    var initialized: Bool
    init(value: Value, isLet: Bool, type: String?, initialized: Bool = true) {
        self.value = value
        self.isLet = isLet
        self.type = type
        self.initialized = initialized
    }
}

/// Names to bindings: the globals of a notebook (compiled code keeps locals in `Frame`s), looked up by name so
/// that a later cell may redeclare them.
final class Environment {
    let parent: Environment?
    var bindings: [String: Binding] = [:]

    init(parent: Environment?) { self.parent = parent }

    func lookup(_ name: String) -> Binding? {
        var scope: Environment? = self
        while let s = scope {
            if let b = s.bindings[name] { return b }
            scope = s.parent
        }
        return nil
    }

    /// Every visible name (innermost first), for suggestions and completion.
    var visibleNames: [String] {
        var names: [String] = []
        var scope: Environment? = self
        while let s = scope { names += s.bindings.keys; scope = s.parent }
        return names
    }
}

/// How a statement finished.
enum Flow {
    case normal
    case breakLoop
    case continueLoop
    case returned(Value)
}
