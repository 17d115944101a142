package scoring

// ClusterLabel is a cluster's short name as people say it: "Kelembagaan", "Klaster III";
// a code outside the five clusters keeps its name (or its code when it has none). The
// digest text, its chart and the web dashboard all label clusters with it.
func ClusterLabel(code, name string) string {
	switch code {
	case "KELEMBAGAAN":
		return "Kelembagaan"
	case "I", "II", "III", "IV", "V":
		return "Klaster " + code
	}
	if name != "" {
		return name
	}
	return code
}
