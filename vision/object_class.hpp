// The classes of objects the project's synthetic scenes hold and its detectors name:
// one table, so that a label travels as a name on the bus ("person", "car", "bike")
// and as an id in the pieces that compute (vision::detection::label).
#pragma once

#include <string>
#include <vector>

namespace troupe::vision {

enum object_class : int { person = 0, car = 1, bike = 2 };

const std::vector<std::string>& object_class_names();  // by id
// The name of class `id`; an id without a name travels as its number.
std::string class_name(int id);
// The id of `name` (a class name, or a number as class_name writes it); -1 for neither.
int class_id(const std::string& name);

// "person:1, car:0.5, bike:0.3" → a share per class id (the numbers are relative).
// Throws std::invalid_argument naming what is wrong.
std::vector<double> parse_class_mix(const std::string& text);

}  // namespace troupe::vision
