# Which mappings of a process grew between two copies of its /proc/PID/smaps (the
# first and the second file named): one line per mapping that gained resident kB,
# largest first, then the sums by kind. A mapping is known by its start address; one
# that is new in the second file grew from 0. Used by scripts/soak.sh (SMAPS=1).
function kind(path, kb) {
  if (path == "[heap]") return "heap (main arena)"
  if (path ~ /^\[stack/) return "main stack"
  if (path ~ /^\//) return "file " path
  if (path != "") return path
  return kb == 65536 || kb == 131072 ? "anonymous, arena-sized" : "anonymous"
}
/^[0-9a-f]+-[0-9a-f]+ / {
  split($1, range, "-")
  start = range[1]
  path = $6
  for (i = 7; i <= NF; i++) path = path " " $i
  file = (FNR == NR) ? 1 : 2
  next
}
/^Size:/ { size[file, start] = $2; pathof[start] = path }
/^Rss:/ { rss[file, start] = $2; seen[start] = 1 }
/^AnonHugePages:/ { huge[file, start] = $2 }
END {
  for (s in seen) {
    d = rss[2, s] - rss[1, s]
    if (d == 0) continue
    k = kind(pathof[s], size[2, s] + 0)
    by_kind[k] += d
    if (d > 0) printf "%8d kB  %s %s (size %d kB, resident %d kB, huge %d kB)\n", d, s, k, size[2, s], rss[2, s], huge[2, s] | "sort -rn | head -15"
  }
  close("sort -rn | head -15")
  for (k in by_kind) printf "  by kind: %+8d kB  %s\n", by_kind[k], k
}
