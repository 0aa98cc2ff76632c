# Two commands: `make report` builds the PDF report, `make test` runs the tests.
# Both create (or reuse) a local virtual environment from the pinned requirements.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CORES ?= all

.PHONY: report placeholders preview test test-fast lint format audit trace codebook new-study \
	verify import-docx bench privacy-recall system-report system-test \
	system-cluster slurm-demo clean demo-data

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "ERROR: Python 3.11 not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

system-report:
	@sh workflow/setup_system.sh report

system-test:
	@sh workflow/setup_system.sh test

system-cluster:
	@sh workflow/setup_system.sh cluster

# After a failed or killed build, say whether results/ and reports/ still belong to one build.
# Another study: make report CONFIG=studies/pharmacy/config.yaml (its config file on top of config/config.yaml)
report: $(STAMP) system-report
	@$(BIN)/snakemake --cores $(CORES) $(if $(CONFIG),--configfile "$(CONFIG)") || { $(BIN)/python -m realist_report.audit.verify; exit 1; }

# Every value placeholder the narrative may use for the current config: make placeholders [CONFIG=...]
placeholders: $(STAMP)
	@$(BIN)/python -m realist_report.report.placeholders $(if $(CONFIG),--config "$(CONFIG)")

# Live preview after a build: re-renders the HTML on every save and reloads the browser; the PDF
# on demand goes to preview/ (never reports/): make preview [CONFIG=config/config.yaml] [PORT=8000]
preview: $(STAMP)
	$(BIN)/python -m realist_report.report.preview --config $(or $(CONFIG),config/config.yaml) $(if $(PORT),--port $(PORT))

test: $(STAMP) system-test
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Every test that does not start Snakemake (unit, schema, bad-input corpus): under a minute.
test-fast: $(STAMP) system-test
	$(BIN)/python -m pytest -n 2 -m "not e2e"

# The demo built on a real single-node SLURM cluster (as root), beside a local build: prints
# sacct lines and both PDFs' SHA-256; copies stay in .slurm-demo/ (see tests/cluster/).
slurm-demo: $(STAMP) system-report system-cluster
	$(BIN)/python tests/cluster/slurm_demo.py

# Timings at demo scale x1, x10, x100 and x1000 (prints tables; see tests/benchmarks/README.md);
# x1000 (7,000 sites, about 2.4 million coded rows) is built once, without the rebuild scenarios.
BENCH_SCALES ?= 1 10 100 1000
BENCH_FULL_ONLY ?= 1000
bench: $(STAMP) system-test
	$(BIN)/python tests/benchmarks/run_bench.py --scales $(BENCH_SCALES) --full-only $(BENCH_FULL_ONLY)

# Privacy screen recall per identifier kind and field (tests/data/privacy_corpus.csv) and false
# positives on the demo's text, without the timings
privacy-recall: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_privacy.py --recall-only

# Self-contained audit companion (captions and categories per result) after an up-to-date build.
audit: report
	$(BIN)/snakemake --report reports/audit_report.html

# The excerpts behind a CMOC or one evidence-matrix cell: make trace CMOC=CMOC04 [CELL=site=S03];
# a candidate CMOC (rank or id) or a code pair: make trace CANDIDATE=1, make trace PAIR=code_a+code_b
trace: $(STAMP)
	@test -n "$(CMOC)$(CANDIDATE)$(PAIR)" || { echo "usage: make trace CMOC=CMOC04 [CELL=site=S03] [QUOTE=1] | CANDIDATE=1 | PAIR=code_a+code_b"; exit 2; }
	$(BIN)/python -m realist_report.audit.trace $(CMOC) $(if $(CELL),--cell $(CELL)) $(if $(QUOTE),--quote $(QUOTE)) $(if $(CANDIDATE),--candidate $(CANDIDATE)) $(if $(PAIR),--pair $(PAIR))

# A codebook skeleton from the team's own export (.qdpx, .qde, .qdc or a coded-segment table):
# make codebook EXPORT=data/raw/project.qdpx [OUT=config/codebook.yaml] [FORCE=1]
codebook: $(STAMP)
	@test -n "$(EXPORT)" || { echo "usage: make codebook EXPORT=path/to/export [OUT=config/codebook.yaml] [FORCE=1]"; exit 2; }
	$(BIN)/python -m realist_report.study_setup.codebook_skeleton init "$(EXPORT)" --out "$(or $(OUT),config/codebook.yaml)" $(if $(FORCE),--force)
# A co-author's edited Word edition back to report/narrative/: a diff per narrative file, conflicts,
# comments and edits of computed parts; APPLY=1 writes the changes, FORCE=1 over files changed since
import-docx: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make import-docx FILE=edited.docx [APPLY=1] [FORCE=1]"; exit 2; }
	$(BIN)/python -m realist_report.report.docx_import "$(FILE)" $(if $(APPLY),--apply) $(if $(FORCE),--force)

# A new study's folder (config with a design: skeleton, registers listing the export's documents,
# codebook, cmocs.yaml, narrative stubs, the export in data/coded/): make new-study DIR=studies/x [EXPORT=file]
new-study: $(STAMP)
	@test -n "$(DIR)" || { echo "usage: make new-study DIR=path/to/study [EXPORT=path/to/export]"; exit 2; }
	@$(BIN)/python -m realist_report.study_setup.scaffold "$(DIR)" $(if $(EXPORT),--export "$(EXPORT)")
# Do results/ and reports/ belong to one build? (checked against results/provenance.json)
verify: $(STAMP)
	$(BIN)/python -m realist_report.audit.verify

lint: $(STAMP)
	$(BIN)/ruff check workflow tests
	$(BIN)/ruff format --check workflow tests
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

format: $(STAMP)
	$(BIN)/ruff check --fix workflow tests
	$(BIN)/ruff format workflow tests
	$(BIN)/snakefmt Snakefile workflow/rules

demo-data: $(STAMP)
	$(BIN)/python -m realist_demo.generator --out data/demo

clean:
	rm -rf data/interim results logs reports/evaluation_report.* .snakemake .slurm-demo
