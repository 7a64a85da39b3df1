# RapidEELS: the two commands of the README are `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
KERNEL := .build/release/rapideels-kernel
SWIFT_FLAGS := -c release
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: all deps venv build kernel test swift-test integration-test fuzz-short demo bench clean cuda-check

all: build

deps:
	@scripts/install-deps.sh

$(VENV)/.stamp: requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

venv: deps $(VENV)/.stamp

build: deps
	swift build $(SWIFT_FLAGS) --product rapideels-kernel

# Installs the kernelspec into the virtual environment (jupyter in .venv finds it).
kernel: build venv
	$(KERNEL) install --prefix $(CURDIR)/$(VENV)

swift-test: deps
	swift test $(SWIFT_FLAGS)

integration-test: kernel
	swift build $(SWIFT_FLAGS) --product protocol-probe-kernel
	$(PY) -m pytest -q integration

fuzz-short: build
	@if [ -x scripts/fuzz-short.sh ]; then scripts/fuzz-short.sh; fi

# Everything CI runs.
test: swift-test integration-test fuzz-short cuda-check

# Builds, installs the kernel and runs the paper-workflow notebook headless into an HTML report.
demo: kernel
	@mkdir -p notebooks/out
	@nb=notebooks/02-paper-workflow.ipynb; [ -f $$nb ] || nb=notebooks/00-kernel-tour.ipynb; \
	  $(VENV)/bin/jupyter nbconvert --to html --execute --ExecutePreprocessor.timeout=3600 \
	    --ExecutePreprocessor.kernel_name=rapideels --output-dir notebooks/out $$nb && \
	  echo "report: notebooks/out/$$(basename $${nb%.ipynb}).html"

# Compile-checks every CUDA kernel source with NVRTC for sm_80 and sm_90 (no GPU needed). NVRTC comes from
# pip's nvidia-cuda-nvrtc-cu12 wheel (86 MB download) in its own venv, kept out of .venv so that `make test`
# does not pay for it; without NVRTC those tests skip with a message saying how to run them.
CUDA_VENV := .venv-cuda
$(CUDA_VENV)/.stamp:
	python3 -m venv $(CUDA_VENV)
	$(CUDA_VENV)/bin/pip install -q nvidia-cuda-nvrtc-cu12
	touch $@

cuda-check: deps $(CUDA_VENV)/.stamp
	PATH=$(CURDIR)/$(CUDA_VENV)/bin:$$PATH swift test $(SWIFT_FLAGS) --filter 'NeuralCoreTests.CUDA'

clean:
	rm -rf .build notebooks/out
