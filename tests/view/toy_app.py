"""A throwaway SolaraViz app: proves Solara's page and Mesa's plots render offline."""

import mesa
import solara
from mesa.visualization import SolaraViz, make_plot_component


class ToyModel(mesa.Model):
    """Counts up with noise; enough to draw a line chart that changes each step."""

    def __init__(self, *, rng=None, drift=1.0):
        super().__init__(rng=rng)
        self.drift = drift
        self.level = 0.0
        self.datacollector = mesa.DataCollector(model_reporters={"level": "level"})
        self.datacollector.collect(self)

    def step(self):
        self.level += self.drift + float(self.rng.normal())
        self.datacollector.collect(self)


@solara.component
def Note(model):  # noqa: N802
    solara.Markdown(f"**Toy** level = {model.level:.2f}")


model_params = {
    "rng": {"type": "InputText", "value": "1", "label": "Seed"},
    "drift": {
        "type": "SliderFloat",
        "value": 1.0,
        "min": 0.0,
        "max": 5.0,
        "step": 0.5,
        "label": "Drift",
    },
}
page = SolaraViz(
    ToyModel(rng=1),
    components=[
        make_plot_component("level"),
        Note,
    ],
    model_params=model_params,
    name="Toy",
)
