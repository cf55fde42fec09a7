"""gunicorn settings module (`gunicorn -c python:app.serving wsgi:app`): what each worker process runs
besides requests. Only workers start it: the CLI and the migrations before them never do."""


def post_worker_init(worker) -> None:
    from .services.coverage_refresher import start_coverage_refresher
    worker.coverage_refresher = start_coverage_refresher(worker.wsgi)
