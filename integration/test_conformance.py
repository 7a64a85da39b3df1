"""The Jupyter project's conformance suite (jupyter_kernel_test) against the rapideels kernel: all 12 KernelTests
and IopubWelcomeTests. A skip here counts as a failure (see conftest.py): every test must have its samples."""
import unittest

import jupyter_kernel_test as jkt

from conftest import KERNEL_NAME

# Single-quoted attributes, so the markup sits in a RapidEELS Script string literal as it is.
SVG = "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'><rect width='40' height='20'/></svg>"


class RapidEELSKernelTests(jkt.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "swift"
    file_extension = ".swift"

    code_hello_world = 'print("hello, world")'
    code_stderr = 'printError("careful: few counts")'

    completion_samples = [
        {"text": "clearOu", "matches": ["clearOutput"]},
        {"text": "readLi", "matches": ["readLine"]},
        {"text": "printE", "matches": ["printError"]},
        {"text": "2.5.isN", "matches": ["isNaN"]},
        {"text": "2.5.squareR", "matches": ["squareRoot"]},
        {"text": "print(clearOu", "matches": ["clearOutput"]},
    ]

    complete_code_samples = ["let a = 1", 'print("x")', "for i in 0..<3 {\n    print(i)\n}", "let s = \"{\""]
    incomplete_code_samples = ["func f() {", "let values = [1, 2,", 'let s = "abc', "if true {\n    print(1)"]
    invalid_code_samples = ["let a = (1))", "}", "let x = [1, 2)"]

    code_page_something = "print?"
    code_generate_error = "undefinedName + 1"

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"spectrum" + "s"', "result": '"spectrums"'},
        {"code": "[1, 2, 3].map { $0 * 2 }", "result": "[2, 4, 6]"},
        {"code": f'svg("{SVG}")', "mime": "image/svg+xml", "result": SVG},
    ]
    code_display_data = [
        {"code": f'display(svg("{SVG}"))', "mime": "image/svg+xml"},
        {"code": "display(html(\"<b>bold</b>\"))", "mime": "text/html"},
        {"code": "display(3.5)", "mime": "text/plain"},
    ]

    code_history_pattern = "6 * 7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "print"
    code_clear_output = "clearOutput()"


class RapidEELSIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = KERNEL_NAME
    support_iopub_welcome = True
