package corpus

func parsePDF(data []byte, opts Options) ([]block, meta, error) {
	return nil, meta{}, ErrUnreadable
}
