/// Expressions of RapidEELS Script. Every node carries its source location for error reports.
indirect enum Expr {
    case literal(Value, SourceLocation)
    case interpolated([InterpolatedPart], SourceLocation)
    case name(String, SourceLocation)
    case dollar(Int, SourceLocation)
    case implicitMember(String, SourceLocation)
    case array([Expr], SourceLocation)
    case dictionary([(Expr, Expr)], SourceLocation)
    case unary(String, Expr, SourceLocation)
    case binary(String, Expr, Expr, SourceLocation)
    case ternary(Expr, Expr, Expr, SourceLocation)
    case member(Expr, String, SourceLocation)
    case call(Expr, [Argument], SourceLocation)
    case subscriptAccess(Expr, [Argument], SourceLocation)
    case closure(ClosureDecl, SourceLocation)

    var location: SourceLocation {
        switch self {
        case .literal(_, let l), .interpolated(_, let l), .name(_, let l), .dollar(_, let l),
             .implicitMember(_, let l), .array(_, let l), .dictionary(_, let l), .unary(_, _, let l),
             .binary(_, _, _, let l), .ternary(_, _, _, let l), .member(_, _, let l), .call(_, _, let l),
             .subscriptAccess(_, _, let l), .closure(_, let l):
            return l
        }
    }
}

enum InterpolatedPart {
    case text(String)
    case expr(Expr)
}

struct Argument {
    var label: String?
    var value: Expr
    var location: SourceLocation
}

/// A parameter of a `func` or closure.
struct ParameterDecl {
    /// The label callers write (nil for `_`).
    var label: String?
    /// The name inside the body.
    var name: String
    var type: String?
    var defaultValue: Expr?
}

final class ClosureDecl {
    let parameters: [ParameterDecl]
    let body: [Stmt]
    let usesDollar: Int      // highest $n used + 1 (0 when none)
    let name: String
    /// Closures return their single expression's value; `func`s need `return`.
    let isClosure: Bool
    init(parameters: [ParameterDecl], body: [Stmt], usesDollar: Int, name: String, isClosure: Bool? = nil) {
        self.parameters = parameters
        self.body = body
        self.usesDollar = usesDollar
        self.name = name
        self.isClosure = isClosure ?? (name == "closure")
    }
}

indirect enum Stmt {
    case declaration(isLet: Bool, name: String, type: String?, value: Expr?, SourceLocation)
    case assignment(target: Expr, op: String, value: Expr, SourceLocation)
    case expression(Expr)
    case function(ClosureDecl, SourceLocation)
    case ifStatement(condition: Expr, then: [Stmt], otherwise: [Stmt]?, SourceLocation)
    case forIn(name: String, second: String?, sequence: Expr, body: [Stmt], SourceLocation)
    case whileLoop(condition: Expr, body: [Stmt], SourceLocation)
    case breakStatement(SourceLocation)
    case continueStatement(SourceLocation)
    case returnStatement(Expr?, SourceLocation)
    case importStatement(String, SourceLocation)

    var location: SourceLocation {
        switch self {
        case .declaration(_, _, _, _, let l), .assignment(_, _, _, let l), .function(_, let l),
             .ifStatement(_, _, _, let l), .forIn(_, _, _, _, let l), .whileLoop(_, _, let l),
             .breakStatement(let l), .continueStatement(let l), .returnStatement(_, let l),
             .importStatement(_, let l):
            return l
        case .expression(let e): return e.location
        }
    }
}
