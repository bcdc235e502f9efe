package dsl

import "github.com/hashicorp/hcl/v2"

// The schemas below are the whole language: anything else is reported as an
// unsupported argument or block type (with a "did you mean" suggestion).

var topSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "wimbuild"},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "source", LabelNames: []string{"type", "name"}},
		{Type: "image", LabelNames: []string{"name"}},
		{Type: "pxe", LabelNames: []string{"name"}},
		{Type: "media", LabelNames: []string{"name"}},
		{Type: "output"},
	},
}

var settingsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "required_version"},
		{Name: "source_date_epoch"},
		{Name: "allow_paths"},
	},
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

var sourceWIMSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "path", Required: true},
		{Name: "sha256"},
		{Name: "index"},
		{Name: "image_name"},
		{Name: "arch"},
	},
}

var sourceSampleSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "arch", Required: true},
	},
}

var imageSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from", Required: true},
		{Name: "arch"},
		{Name: "name"},
		{Name: "description"},
		{Name: "delete"},
		{Name: "scratch_space"},
		{Name: "ui_language"},
		{Name: "install_version"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "package", LabelNames: []string{"name"}},
		{Type: "language", LabelNames: []string{"tag"}},
		{Type: "files"},
		{Type: "file", LabelNames: []string{"path"}},
		{Type: "registry", LabelNames: []string{"hive"}},
		{Type: "winpeshl"},
		{Type: "capture"},
		{Type: "discover"},
		{Type: "metadata"},
	},
}

var packageSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "cab", Required: true},
		{Name: "sha256"},
	},
}

var languageSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "lp"},
		{Name: "dir"},
		{Name: "packages"},
	},
}

var filesSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "source", Required: true},
		{Name: "destination", Required: true},
	},
}

var fileSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "content"},
		{Name: "source"},
	},
}

var registrySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "delete_key"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "set", LabelNames: []string{"key"}},
		{Type: "delete_value", LabelNames: []string{"key"}},
	},
}

var regSetSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "name"},
		{Name: "type", Required: true},
		{Name: "value", Required: true},
	},
}

var regDeleteValueSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "name", Required: true},
	},
}

var winpeshlSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "launch"},
		{Name: "launch_app"},
		{Name: "apps"}, // reported with a hint: entries are app blocks
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "app"}},
}

var appSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "path", Required: true},
		{Name: "args"},
	},
}

var captureSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "unattended"},
		{Name: "volume"},
		{Name: "image_name"},
		{Name: "image_description"},
		{Name: "destination"},
		{Name: "overwrite"},
		{Name: "compression"},
		{Name: "exclusions"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "upload"}},
}

var uploadSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "server", Required: true},
		{Name: "image_group"},
		{Name: "username"},
		{Name: "domain"},
		{Name: "delete_local"},
	},
}

var discoverSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "server"},
	},
}

var metadataSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "display_name"},
		{Name: "display_description"},
		{Name: "flags"},
	},
}

var pxeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "images", Required: true},
		{Name: "layout"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "bcd"}},
}

var bcdSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "timeout"},
		{Name: "default"},
		{Name: "tftp_block_size"},
		{Name: "tftp_window_size"},
	},
}

var mediaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "image", Required: true},
		{Name: "format", Required: true},
		{Name: "label"},
		{Name: "firmware"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "bcd"}},
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "dir"},
		{Name: "compression"},
	},
}

var varFileSchemaNote = "A variable file holds only `name = value` lines for declared variables."
