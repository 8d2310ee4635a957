#pragma once
#include "actors/runtime/kind_registry.hpp"
namespace troupe {
// A REACT camera (react.txt, Fig. 2): its edge manager asks the edge detector every
// k-th frame and the cloud model server every m-th, both when the scene moved; tracks
// between detections; carries late cloud detections to the present with a fast tracker
// of its own; fuses them (Algorithm 1) and sends each frame's objects to the sink.
// Modes edge-only, cloud-only and every-frame-edge run the paper's baselines.
kind_spec react_camera_kind();
}  // namespace troupe
