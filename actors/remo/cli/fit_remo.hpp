// Offline fitting of ReMO's Region Generator from a camera of a topology, its video
// and its server's model: `troupe fit-trigger` (the Detect Trigger's weights, by grid
// search and k-fold cross-validation against tracking's F1 drop) and `troupe
// fit-regions` (fixed regions from where the model finds objects).
#pragma once

#include <string>

namespace troupe {

struct fit_remo_options {
  std::string topology, camera, output;
  int slots = 30;       // fit-trigger: slots observed
  double step = 0.1;    // fit-trigger: grid step of w1 and w2
  int folds = 5;
  int frames = 300;     // fit-regions: frames observed
  int rows = 2, cols = 2;
};

int fit_trigger(const fit_remo_options& o);
int fit_regions(const fit_remo_options& o);

}  // namespace troupe
