"""Draw the docs' example plan with `mesotherapy.plot` and save it as a PNG.

``python docs/example_picture.py [PATH] [--dpi N]`` writes ``docs/_static/example-plan.png``
by default, the picture of the tutorial: face and neck at `example_clinic` from
2026-10-20 09:00 in America/Toronto, for a client born 1985-03-02 who is concerned with
dullness, assessed on 2026-10-01. The docs session of the noxfile runs it before the
build, so the picture always shows what the code draws. It needs the ``notebook`` extra.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pendulum

import mesotherapy as meso

PICTURE = Path(__file__).parent / "_static" / "example-plan.png"


def example_plan() -> meso.TreatmentPlan:
    """The example of the docs: face and neck at the example clinic from 2026-10-20 09:00."""
    client = meso.Client(birth_date="1985-03-02", concerns=["dullness"])
    areas = ["face", "neck"]
    return meso.plan_series(
        meso.assess(client, areas, on="2026-10-01"),
        areas,
        start=pendulum.datetime(2026, 10, 20, 9, tz="America/Toronto"),
        clinic=meso.example_clinic(),
    )


def save_example_picture(path: Path = PICTURE, *, dpi: int = 100) -> Path:
    """Draw `example_plan` with `mesotherapy.plot` and save it as a PNG at *path*.

    The figure is pyplot's (``plot`` makes it at the size its rows need) on the Agg
    backend, closed once saved; the PNG carries no software version, so that the same
    drawing gives the same bytes.
    """
    import matplotlib as mpl  # noqa: PLC0415 - the backend is chosen before pyplot loads

    mpl.use("Agg")
    from matplotlib import pyplot as plt  # noqa: PLC0415

    figure = meso.plot(example_plan()).get_figure(root=True)
    assert figure is not None  # noqa: S101 - pyplot made it for the axes
    try:
        figure.savefig(path, dpi=dpi, format="png", metadata={"Software": None})
    finally:
        plt.close(figure)
    return path


def main(argv: list[str] | None = None) -> None:
    """Save the picture at the path given (the docs' copy by default) and print the path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", nargs="?", type=Path, default=PICTURE)
    parser.add_argument("--dpi", type=int, default=100)
    arguments = parser.parse_args(argv)
    print(save_example_picture(arguments.path, dpi=arguments.dpi))  # noqa: T201


if __name__ == "__main__":
    main()
