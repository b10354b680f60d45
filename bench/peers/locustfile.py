# Locust peer for bench/: one GET per task, no wait between tasks (closed model,
# as fast as each user can go). The path comes from BENCH_PATH; the host from --host.
import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("BENCH_PATH", "/json")


class BenchUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def get_json(self):
        self.client.get(PATH)
