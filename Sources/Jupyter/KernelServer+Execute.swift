import Foundation

// execute_request and the requests that read the interpreter (complete, inspect, is_complete, history).
extension KernelServer {
    func execute(_ request: JupyterMessage) {
        let content = request.content
        let code = content["code"]?.stringValue ?? ""
        let silent = content["silent"]?.boolValue ?? false
        let storeHistory = silent ? false : (content["store_history"]?.boolValue ?? true)
        let allowStdin = content["allow_stdin"]?.boolValue ?? false
        let stopOnError = content["stop_on_error"]?.boolValue ?? true

        if storeHistory { executionCount += 1 }
        let count = executionCount
        // The stop flag exists before execute_input goes out: a client that interrupts as soon as it sees the cell
        // start reaches it (made after, an interrupt in between was lost and the cell ran on).
        let cancellation = beginCancellableRequest()
        defer { endCancellableRequest() }
        if !silent { publish("execute_input", ["code": .string(code), "execution_count": .int(count)], parent: request) }

        let output = CellOutput(server: self, parent: request, allowsStdin: allowStdin)
        var payload: [JSON] = []
        let outcome: ExecuteOutcome
        if let page = pageRequest(in: code) {
            outcome = page.outcome
            if let data = page.data { payload.append(["source": "page", "data": JSON(bundle: data), "start": 0]) }
        } else {
            outcome = interpreter.execute(code, output: output, cancellation: cancellation)
        }
        if storeHistory { history.append(code) }

        switch outcome {
        case .success(let bundle):
            if let bundle, !silent {
                publish("execute_result", ["execution_count": .int(count), "data": JSON(bundle: bundle),
                                           "metadata": .emptyObject], parent: request)
                if storeHistory, let text = bundle["text/plain"] { history.setOutput(text, line: history.lastLine) }
            }
            let expressions = evaluateUserExpressions(content["user_expressions"], cancellation: cancellation)
            reply(request, on: .shell, ["status": "ok", "execution_count": .int(count), "payload": .array(payload),
                                        "user_expressions": expressions])
        case .failure(let ename, let evalue, let traceback):
            // stop_on_error aborts what was queued when the cell failed, taken before the reply goes out: a
            // request the client sends after reading the reply is not aborted.
            let aborted = stopOnError ? takeQueuedCells() : []
            let error: JSON = ["ename": .string(ename), "evalue": .string(evalue),
                               "traceback": .array(traceback.map { .string($0) })]
            if !silent { publish("error", error, parent: request) }
            var replyContent = error
            replyContent["status"] = "error"
            replyContent["execution_count"] = .int(count)
            replyContent["user_expressions"] = .emptyObject
            replyContent["payload"] = []
            reply(request, on: .shell, replyContent)
            abort(aborted, after: ename)
        }
    }

    /// Takes every execute_request queued now out of the queue (stop_on_error aborts them).
    private func takeQueuedCells() -> [JupyterMessage] {
        queue.lock()
        let queued = pending.filter { $0.messageType == "execute_request" }
        pending.removeAll { $0.messageType == "execute_request" }
        queue.unlock()
        return queued
    }

    /// Answers each of `aborted` with an aborted error (stop_on_error).
    private func abort(_ aborted: [JupyterMessage], after ename: String) {
        for request in aborted {
            publish("status", ["execution_state": "busy"], parent: request)
            let evalue = "not run: an earlier cell failed with \(ename)"
            let content: JSON = ["status": "error", "ename": "Aborted", "evalue": .string(evalue),
                                 "traceback": .array([]), "execution_count": .int(executionCount),
                                 "user_expressions": .emptyObject, "payload": .array([])]
            reply(request, on: .shell, content)
            publish("status", ["execution_state": "idle"], parent: request)
        }
    }

    private func evaluateUserExpressions(_ expressions: JSON?, cancellation: CancellationToken) -> JSON {
        guard let expressions = expressions?.objectValue else { return .emptyObject }
        var results: [String: JSON] = [:]
        for (name, expression) in expressions {
            switch interpreter.evaluate(expression: expression.stringValue ?? "", cancellation: cancellation) {
            case .success(let bundle):
                results[name] = ["status": "ok", "data": JSON(bundle: bundle ?? ["text/plain": ""]),
                                 "metadata": .emptyObject]
            case .failure(let ename, let evalue, let traceback):
                results[name] = ["status": "error", "ename": .string(ename), "evalue": .string(evalue),
                                 "traceback": .array(traceback.map { .string($0) })]
            }
        }
        return .object(results)
    }

    /// `name?` or `?name` (IPython's help syntax) pages the inspection of `name` instead of running the cell.
    private func pageRequest(in code: String) -> (outcome: ExecuteOutcome, data: DisplayBundle?)? {
        let trimmed = code.trimmingCharacters(in: .whitespacesAndNewlines)
        let name: Substring
        if trimmed.hasPrefix("?") {
            name = trimmed.drop { $0 == "?" }
        } else if trimmed.hasSuffix("?") {
            name = trimmed.dropLast().prefix { $0 != "?" }
        } else {
            return nil
        }
        let isName = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        guard isName, let first = name.first, !first.isNumber else { return nil }
        let detail = trimmed.hasPrefix("??") || trimmed.hasSuffix("??") ? 1 : 0
        let text = String(name)
        if let bundle = interpreter.inspect(text, cursor: text.unicodeScalars.count, detailLevel: detail) {
            return (.success(nil), bundle)
        }
        return (.failure(ename: "NameError", evalue: "no documentation for '\(text)'",
                         traceback: ["NameError: no documentation for '\(text)'"]), nil)
    }

    func complete(_ content: JSON) -> JSON {
        let code = content["code"]?.stringValue ?? ""
        let cursor = clampCursor(content["cursor_pos"]?.intValue, in: code)
        let result = interpreter.complete(code, cursor: cursor)
        return ["status": "ok", "matches": .array(result.matches.map { .string($0) }),
                "cursor_start": .int(result.cursorStart), "cursor_end": .int(result.cursorEnd),
                "metadata": .emptyObject]
    }

    func inspect(_ content: JSON) -> JSON {
        let code = content["code"]?.stringValue ?? ""
        let cursor = clampCursor(content["cursor_pos"]?.intValue, in: code)
        let detail = content["detail_level"]?.intValue ?? 0
        if let bundle = interpreter.inspect(code, cursor: cursor, detailLevel: detail) {
            return ["status": "ok", "found": true, "data": JSON(bundle: bundle), "metadata": .emptyObject]
        }
        return ["status": "ok", "found": false, "data": .emptyObject, "metadata": .emptyObject]
    }

    func isComplete(_ content: JSON) -> JSON {
        switch interpreter.isComplete(content["code"]?.stringValue ?? "") {
        case .complete: return ["status": "complete"]
        case .incomplete(let indent): return ["status": "incomplete", "indent": .string(indent)]
        case .invalid: return ["status": "invalid"]
        case .unknown: return ["status": "unknown"]
        }
    }

    func historyReply(_ content: JSON) -> JSON {
        let output = content["output"]?.boolValue ?? false
        let entries: [History.Entry]
        switch content["hist_access_type"]?.stringValue ?? "tail" {
        case "range":
            entries = history.range(session: content["session"]?.intValue ?? 0,
                                    start: content["start"]?.intValue ?? 1, stop: content["stop"]?.intValue)
        case "search":
            entries = history.search(pattern: content["pattern"]?.stringValue ?? "*", n: content["n"]?.intValue,
                                     unique: content["unique"]?.boolValue ?? false)
        default:
            entries = history.tail(content["n"]?.intValue ?? 10)
        }
        let items: [JSON] = entries.map { entry in
            let input: JSON = output ? [.string(entry.input), entry.output.map { .string($0) } ?? .null]
                                     : .string(entry.input)
            return [.int(entry.session), .int(entry.line), input]
        }
        return ["status": "ok", "history": .array(items)]
    }

    /// Jupyter's cursor_pos counts Unicode scalars; a missing one means the end of the code.
    private func clampCursor(_ cursor: Int?, in code: String) -> Int {
        let length = code.unicodeScalars.count
        guard let cursor else { return length }
        return min(max(0, cursor), length)
    }
}
