# Sets this notebook up wherever it runs (the homework's README, "Opening the notebooks", says more).
# - In the kit's own environment (its Jupyter kernel "Deep Q-learning kit"): nothing to do.
# - In a hosted notebook (Colab): fetches your homework folder from the course's hand-out into
#   HOMEWORK_FOLDER (kept if it is there already) and installs the kit from it, once per runtime.
#   A hosted runtime forgets its files when it stops, so in Colab your homework folder is on
#   your Google Drive, which this cell asks to mount.
# - In a local Jupyter without the kit: says what to run.
HANDOUT_URL = ""  # the course's hand-out (a git URL or a folder), set by your course at release
HOMEWORK_FOLDER = ""  # hosted: "" is deepq-homework on your Google Drive in Colab, else homework where it starts


def _set_up_kit(handout: str, homework: str) -> None:
    import importlib.util, os, subprocess, sys, time, urllib.request  # noqa: E401
    from pathlib import Path

    colab = "google.colab" in sys.modules
    hosted = colab or os.environ.get("DQKIT_SETUP") == "install"
    has_kit = importlib.util.find_spec("autograder") is not None
    if not hosted:
        if not has_kit:
            raise RuntimeError(
                f"This kernel ({sys.executable}) does not have the homework kit. In your homework folder, run "
                "./kit check replay_buffer once: it sets up the kit's environment and its Jupyter kernel; then "
                "choose the kernel 'Deep Q-learning kit' (Kernel > Change Kernel) and run this cell again.")
        return

    def run(what: str, command: list[str]) -> None:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{what} failed ({' '.join(command)}):\n{(done.stdout + done.stderr)[-3000:]}")

    started = time.monotonic()
    folder = Path(homework or ("/content/drive/MyDrive/deepq-homework" if colab else "homework")).expanduser().resolve()
    if colab and folder.is_relative_to("/content/drive") and not Path("/content/drive").is_mount():
        from google.colab import drive
        drive.mount("/content/drive")  # asks you to allow access to your Google Drive
    if not (folder / "assignments").is_dir():
        if not handout:
            raise RuntimeError(f"HANDOUT_URL is empty and {folder} holds no homework (no assignments/ in it): "
                               "put the hand-out's address from your course between the quotes of HANDOUT_URL, "
                               "or set HOMEWORK_FOLDER to your homework folder.")
        print(f"Fetching the homework from {handout} into {folder} ...", flush=True)
        if handout.startswith("git+"):
            address = handout.removeprefix("git+").partition("#")[0]
            head, _, tail = address.rpartition("/")
            repository, _, ref = tail.partition("@")
            branch = ["--branch", ref] if ref else []
            run("Fetching the homework", ["git", "clone", "--quiet", "--depth", "1", *branch,
                                          f"{head}/{repository}", str(folder)])
        elif Path(handout).expanduser().is_dir():
            import shutil
            shutil.copytree(Path(handout).expanduser(), folder, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__"))
        else:
            raise RuntimeError(f"HANDOUT_URL {handout!r} is neither a git URL (git+https://...) nor a folder.")
    if not has_kit:
        torch = next(line.strip() for line in (folder / "requirements.txt").read_text().splitlines()
                     if line.startswith("torch=="))
        print(f"Installing the kit into this runtime: {torch} (its CPU build where PyTorch's CPU index answers), "
              "then the other pinned packages of pyproject.toml; about 1 to 3 minutes ...", flush=True)
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        index = os.environ.get("KIT_TORCH_INDEX", "https://download.pytorch.org/whl/cpu")
        try:
            answers = bool(index) and urllib.request.urlopen(f"{index}/torch/", timeout=5) is not None
        except OSError:
            answers = False
        if answers:
            run("Installing torch", [*pip, "--index-url", index, torch])
        else:
            why = f"PyTorch's CPU index {index} did not answer" if index else "KIT_TORCH_INDEX is empty"
            print(f"  ({why}: torch comes from the default package index)", flush=True)
        run("Installing the kit", [*pip, str(folder)])
        importlib.invalidate_caches()
    os.chdir(folder / "notebooks")
    print(f"Ready in {time.monotonic() - started:.0f} s: your homework is {folder}, this notebook runs in "
          f"{folder / 'notebooks'}.", flush=True)


_set_up_kit(HANDOUT_URL, HOMEWORK_FOLDER)
