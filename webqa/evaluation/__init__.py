"""The evaluation harness behind `webqa eval`: public benchmarks as closed corpora plus gold question files,
batch answers from webqa and a naive-RAG baseline, scores, and reports with plots.

    datasets/   each benchmark read from ../shared/data into documents and gold items
    gold.py     the gold question file format (questions plus answers and supporting passages)
    citations.py  ALCE-style citation recall and precision with webqa's own support checker
    scoring.py  per-question scores and their summary
    naive_rag.py  the LangChain baseline
    runner.py   one evaluation run: index, batch answers, scores, report
    report.py / plots.py / compare.py  what a run writes and how two runs are set side by side
"""
