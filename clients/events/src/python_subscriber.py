"""A subscriber in Python: checks delivered integration events against the published contract.

The AsyncAPI document (GET /asyncapi.json) describes each message's payload, the event as
EventBridge delivers it, in JSON Schema; jsonschema's Draft 2020-12 validator, with formats
checked, validates an event against the message named as its `detail-type`.

    python3 python_subscriber.py asyncapi.json events.json

prints, for each event of the JSON array in events.json, null when it is on the contract, or
what is wrong with it.
"""

import json
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:users:asyncapi"


def validators_by_message_name(document):
    # One resource for the whole document, so that the payloads' "#/components/schemas/..."
    # references resolve inside it.
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource(contents=document, specification=DRAFT202012)
    )
    return {
        message["name"]: Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#/components/messages/{key}/payload"},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        for key, message in document["components"]["messages"].items()
    }


def problems_of(validators, event):
    validator = validators.get(event.get("detail-type")) if isinstance(event, dict) else None
    if validator is None:
        return "no message of the contract is named as its detail-type"
    errors = sorted(validator.iter_errors(event), key=lambda error: list(error.absolute_path))
    return "; ".join(
        f"/{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in errors
    ) or None


def main(document_path, events_path):
    with open(document_path, encoding="utf-8") as document_file:
        validators = validators_by_message_name(json.load(document_file))
    with open(events_path, encoding="utf-8") as events_file:
        events = json.load(events_file)
    print(json.dumps([problems_of(validators, event) for event in events]))


if __name__ == "__main__":
    main(*sys.argv[1:3])
