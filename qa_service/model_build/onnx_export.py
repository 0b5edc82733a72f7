"""Export the packaged MiniLM to ONNX and quantize it to int8 (torch + onnx, build time only).

Recipe (measured in docs/benchmarks.md "Embedders"): eager attention so ONNX Runtime's BERT
optimizer can fuse attention, layer norms and GELU; then dynamic int8 quantization with
per-channel weights (per-tensor weights cost ~4x more cosine error against the fp32 model).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

RECIPE = 1
MAX_TOKENS = 256  # the sentence-transformers config of all-MiniLM-L6-v2
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
HEADS, HIDDEN = 12, 384


def export_int8(source: Path, out_dir: Path) -> None:
    """Write ``model.onnx`` (int8) and ``tokenizer.json`` into ``out_dir``."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    model = AutoModel.from_pretrained(
        str(source), local_files_only=True, attn_implementation="eager"
    ).eval()

    class LastHiddenState(torch.nn.Module):
        """Pooling stays outside the graph: it is a masked mean done in numpy."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(
            self, input_ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor
        ) -> torch.Tensor:
            out = self.bert(input_ids=input_ids, attention_mask=mask, token_type_ids=types)
            return out.last_hidden_state

    dummy = torch.ones(2, 16, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    with tempfile.TemporaryDirectory() as tmp:
        fp32, fused = Path(tmp) / "fp32.onnx", Path(tmp) / "fused.onnx"
        torch.onnx.export(
            LastHiddenState(),
            (dummy, dummy, torch.zeros_like(dummy)),
            str(fp32),
            input_names=list(INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and keeps BERT fusable
        )
        optimized = optimize_model(
            str(fp32), model_type="bert", num_heads=HEADS, hidden_size=HIDDEN, opt_level=1
        )
        optimized.save_model_to_file(str(fused))
        quantize_dynamic(
            str(fused),
            str(out_dir / "model.onnx"),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    shutil.copy(source / "tokenizer.json", out_dir / "tokenizer.json")
