//! Request and response messages: header (protocol version, batch count, correlation values,
//! time stamp ...), batch items with their operation, result status / reason / message, payload
//! and message extension. Headers are read in any field order and tolerate fields of newer
//! versions (for example a Server Correlation Value sent to a 1.0 client); unknown header fields
//! are kept and re-encoded.

use smallvec::SmallVec;

use super::operations::{RequestPayload, ResponsePayload, decode_version, encode_version};
use super::response_view::ResponseView;
use super::tags as t;
use super::{Operation, ProtocolVersion, ResultReason, ResultStatus};
use crate::ttlv::{
    DecodeError, DecodeLimits, EncodeError, Encoder, Item, ItemRef, StructureReader,
};

/// A Message Extension: vendor data a receiver may skip unless it is marked critical.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageExtension {
    /// Vendor Identification.
    pub vendor_identification: String,
    /// Criticality Indicator: the receiver must fail if it does not understand the extension.
    pub criticality_indicator: bool,
    /// Vendor Extension, kept as is.
    pub vendor_extension: Item,
}

impl MessageExtension {
    fn encode(&self, enc: &mut Encoder<'_>) {
        let m = enc.begin_structure(t::MESSAGE_EXTENSION);
        enc.text(t::VENDOR_IDENTIFICATION, &self.vendor_identification);
        enc.boolean(t::CRITICALITY_INDICATOR, self.criticality_indicator);
        enc.item(&self.vendor_extension);
        enc.end_structure(m);
    }

    pub(super) fn decode(item: ItemRef<'_>) -> Result<Self, DecodeError> {
        MessageExtensionView::decode(item)?.try_into()
    }
}

/// A Message Extension read in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageExtensionView<'a> {
    /// Vendor Identification.
    pub vendor_identification: &'a str,
    /// Criticality Indicator: the receiver must fail if it does not understand the extension.
    pub criticality_indicator: bool,
    /// Vendor Extension, checked as TTLV.
    pub vendor_extension: ItemRef<'a>,
}

impl<'a> MessageExtensionView<'a> {
    pub(super) fn decode(item: ItemRef<'a>) -> Result<Self, DecodeError> {
        let mut r = item.structure()?;
        let vendor_identification =
            r.required_text(t::VENDOR_IDENTIFICATION, "Vendor Identification")?;
        let criticality_indicator = r
            .required(t::CRITICALITY_INDICATOR, "Criticality Indicator")?
            .boolean()?;
        let vendor_extension = r.required(t::VENDOR_EXTENSION, "Vendor Extension")?;
        vendor_extension.check_contents()?;
        r.finish()?;
        Ok(Self {
            vendor_identification,
            criticality_indicator,
            vendor_extension,
        })
    }
}

impl TryFrom<MessageExtensionView<'_>> for MessageExtension {
    type Error = DecodeError;

    fn try_from(view: MessageExtensionView<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            vendor_identification: view.vendor_identification.to_owned(),
            criticality_indicator: view.criticality_indicator,
            vendor_extension: view.vendor_extension.to_item()?,
        })
    }
}

/// Request Header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHeader {
    /// Protocol Version of the message.
    pub protocol_version: ProtocolVersion,
    /// Maximum Response Size.
    pub maximum_response_size: Option<i32>,
    /// Client Correlation Value (1.4+).
    pub client_correlation_value: Option<String>,
    /// Server Correlation Value (1.4+).
    pub server_correlation_value: Option<String>,
    /// Asynchronous Indicator.
    pub asynchronous_indicator: Option<bool>,
    /// Attestation Capable Indicator (1.2+).
    pub attestation_capable_indicator: Option<bool>,
    /// Attestation Types (1.2+).
    pub attestation_types: Vec<u32>,
    /// Authentication, kept as is (the TLS client certificate is the usual identity).
    pub authentication: Option<Item>,
    /// Batch Error Continuation Option.
    pub batch_error_continuation_option: Option<u32>,
    /// Batch Order Option.
    pub batch_order_option: Option<bool>,
    /// Time Stamp (never sent by this crate: servers reject clock skew).
    pub time_stamp: Option<i64>,
    /// Header fields this crate does not know, kept in order before Batch Count.
    pub other: Vec<Item>,
    /// Batch Count.
    pub batch_count: i32,
}

impl RequestHeader {
    /// A minimal header: version and batch count.
    pub fn new(protocol_version: ProtocolVersion, batch_count: i32) -> Self {
        Self {
            protocol_version,
            maximum_response_size: None,
            client_correlation_value: None,
            server_correlation_value: None,
            asynchronous_indicator: None,
            attestation_capable_indicator: None,
            attestation_types: Vec::new(),
            authentication: None,
            batch_error_continuation_option: None,
            batch_order_option: None,
            time_stamp: None,
            other: Vec::new(),
            batch_count,
        }
    }

    fn encode(&self, enc: &mut Encoder<'_>) {
        let m = enc.begin_structure(t::REQUEST_HEADER);
        encode_version(enc, self.protocol_version);
        if let Some(x) = self.maximum_response_size {
            enc.integer(t::MAXIMUM_RESPONSE_SIZE, x);
        }
        if let Some(x) = &self.client_correlation_value {
            enc.text(t::CLIENT_CORRELATION_VALUE, x);
        }
        if let Some(x) = &self.server_correlation_value {
            enc.text(t::SERVER_CORRELATION_VALUE, x);
        }
        if let Some(x) = self.asynchronous_indicator {
            enc.boolean(t::ASYNCHRONOUS_INDICATOR, x);
        }
        if let Some(x) = self.attestation_capable_indicator {
            enc.boolean(t::ATTESTATION_CAPABLE_INDICATOR, x);
        }
        for x in &self.attestation_types {
            enc.enumeration(t::ATTESTATION_TYPE, *x);
        }
        if let Some(x) = &self.authentication {
            enc.item(x);
        }
        if let Some(x) = self.batch_error_continuation_option {
            enc.enumeration(t::BATCH_ERROR_CONTINUATION_OPTION, x);
        }
        if let Some(x) = self.batch_order_option {
            enc.boolean(t::BATCH_ORDER_OPTION, x);
        }
        if let Some(x) = self.time_stamp {
            enc.date_time(t::TIME_STAMP, x);
        }
        for x in &self.other {
            enc.item(x);
        }
        enc.integer(t::BATCH_COUNT, self.batch_count);
        enc.end_structure(m);
    }

    /// Reads the header's fields in any order (each field read by tag, so a field of the wrong
    /// type is an error naming it).
    fn decode(mut r: StructureReader<'_>) -> Result<Self, DecodeError> {
        let mut h = Self::new(ProtocolVersion::V1_0, 0);
        let (mut version, mut count) = (None, None);
        while let Some(tag) = r.peek_tag() {
            match tag {
                t::PROTOCOL_VERSION => {
                    version = Some(decode_version(r.required_structure(tag, "")?)?)
                }
                t::MAXIMUM_RESPONSE_SIZE => {
                    h.maximum_response_size = Some(r.required_integer(tag, "")?)
                }
                t::CLIENT_CORRELATION_VALUE => {
                    h.client_correlation_value = Some(r.required_text(tag, "")?.to_owned())
                }
                t::SERVER_CORRELATION_VALUE => {
                    h.server_correlation_value = Some(r.required_text(tag, "")?.to_owned())
                }
                t::ASYNCHRONOUS_INDICATOR => h.asynchronous_indicator = r.optional_boolean(tag)?,
                t::ATTESTATION_CAPABLE_INDICATOR => {
                    h.attestation_capable_indicator = r.optional_boolean(tag)?
                }
                t::ATTESTATION_TYPE => h.attestation_types.push(r.required_enumeration(tag, "")?),
                t::AUTHENTICATION => h.authentication = Some(r.required(tag, "")?.to_item()?),
                t::BATCH_ERROR_CONTINUATION_OPTION => {
                    h.batch_error_continuation_option = r.optional_enumeration(tag)?
                }
                t::BATCH_ORDER_OPTION => h.batch_order_option = r.optional_boolean(tag)?,
                t::TIME_STAMP => h.time_stamp = Some(r.required_date_time(tag, "")?),
                t::BATCH_COUNT => count = Some(r.required_integer(tag, "")?),
                _ => h.other.push(r.required(tag, "")?.to_item()?),
            }
        }
        r.finish()?;
        h.protocol_version =
            version.ok_or_else(|| r.error("Request Header without Protocol Version"))?;
        h.batch_count = count.ok_or_else(|| r.error("Request Header without Batch Count"))?;
        Ok(h)
    }
}

/// Response Header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHeader {
    /// Protocol Version of the message.
    pub protocol_version: ProtocolVersion,
    /// Time Stamp (POSIX seconds).
    pub time_stamp: i64,
    /// Batch Count.
    pub batch_count: i32,
    /// The fields a response header carries only sometimes (boxed: a message is moved whole,
    /// and most headers hold none of them).
    pub extra: Option<Box<ResponseHeaderExtra>>,
}

/// The optional fields of a Response Header, in their encoding order (all of them come between
/// Time Stamp and Batch Count).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseHeaderExtra {
    /// Nonce (1.2+), kept as is.
    pub nonce: Option<Item>,
    /// Server Hashed Password (2.x).
    pub server_hashed_password: Option<Vec<u8>>,
    /// Attestation Types (1.2+).
    pub attestation_types: Vec<u32>,
    /// Client Correlation Value (1.4+).
    pub client_correlation_value: Option<String>,
    /// Server Correlation Value (1.4+; some servers send it to 1.0 clients too).
    pub server_correlation_value: Option<String>,
    /// Header fields this crate does not know, kept in order before Batch Count.
    pub other: Vec<Item>,
}

impl ResponseHeader {
    /// A minimal header.
    pub fn new(protocol_version: ProtocolVersion, time_stamp: i64, batch_count: i32) -> Self {
        Self {
            protocol_version,
            time_stamp,
            batch_count,
            extra: None,
        }
    }

    /// The optional fields, created empty on first use.
    pub fn extra_mut(&mut self) -> &mut ResponseHeaderExtra {
        self.extra.get_or_insert_with(Box::default)
    }

    fn encode(&self, enc: &mut Encoder<'_>) {
        let m = enc.begin_structure(t::RESPONSE_HEADER);
        encode_version(enc, self.protocol_version);
        enc.date_time(t::TIME_STAMP, self.time_stamp);
        if let Some(extra) = &self.extra {
            if let Some(x) = &extra.nonce {
                enc.item(x);
            }
            if let Some(x) = &extra.server_hashed_password {
                enc.bytes(t::SERVER_HASHED_PASSWORD, x);
            }
            for x in &extra.attestation_types {
                enc.enumeration(t::ATTESTATION_TYPE, *x);
            }
            if let Some(x) = &extra.client_correlation_value {
                enc.text(t::CLIENT_CORRELATION_VALUE, x);
            }
            if let Some(x) = &extra.server_correlation_value {
                enc.text(t::SERVER_CORRELATION_VALUE, x);
            }
            for x in &extra.other {
                enc.item(x);
            }
        }
        enc.integer(t::BATCH_COUNT, self.batch_count);
        enc.end_structure(m);
    }

    /// Reads the header's fields in any order (each field read by tag, so a field of the wrong
    /// type is an error naming it).
    pub(super) fn decode_into(&mut self, mut r: StructureReader<'_>) -> Result<(), DecodeError> {
        let h = self;
        let (mut version, mut stamp, mut count) = (None, None, None);
        while let Some(tag) = r.peek_tag() {
            match tag {
                t::PROTOCOL_VERSION => {
                    version = Some(decode_version(r.required_structure(tag, "")?)?)
                }
                t::TIME_STAMP => stamp = Some(r.required_date_time(tag, "")?),
                t::NONCE => h.extra_mut().nonce = Some(r.required(tag, "")?.to_item()?),
                t::SERVER_HASHED_PASSWORD => {
                    h.extra_mut().server_hashed_password =
                        r.optional_bytes(tag)?.map(<[u8]>::to_vec)
                }
                t::ATTESTATION_TYPE => {
                    let value = r.required_enumeration(tag, "")?;
                    h.extra_mut().attestation_types.push(value)
                }
                t::CLIENT_CORRELATION_VALUE => {
                    h.extra_mut().client_correlation_value =
                        Some(r.required_text(tag, "")?.to_owned())
                }
                t::SERVER_CORRELATION_VALUE => {
                    h.extra_mut().server_correlation_value =
                        Some(r.required_text(tag, "")?.to_owned())
                }
                t::BATCH_COUNT => count = Some(r.required_integer(tag, "")?),
                _ => {
                    let item = r.required(tag, "")?.to_item()?;
                    h.extra_mut().other.push(item)
                }
            }
        }
        r.finish()?;
        h.protocol_version =
            version.ok_or_else(|| r.error("Response Header without Protocol Version"))?;
        h.time_stamp = stamp.ok_or_else(|| r.error("Response Header without Time Stamp"))?;
        h.batch_count = count.ok_or_else(|| r.error("Response Header without Batch Count"))?;
        Ok(())
    }
}

/// One operation in a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestBatchItem {
    /// Operation.
    pub operation: Operation,
    /// Ephemeral (2.x).
    pub ephemeral: Option<bool>,
    /// Unique Batch Item ID (required when the batch holds more than one item).
    pub unique_batch_item_id: Option<Vec<u8>>,
    /// Request Payload.
    pub payload: RequestPayload,
    /// Message Extension (boxed: rare, and a message is moved whole).
    pub message_extension: Option<Box<MessageExtension>>,
}

impl RequestBatchItem {
    /// A batch item for a typed payload (its operation is taken from the payload).
    pub fn new(payload: RequestPayload) -> Result<Self, EncodeError> {
        let operation = payload.operation().ok_or(EncodeError::NotExpressible(
            "an untyped payload needs its operation set by hand",
        ))?;
        Ok(Self {
            operation,
            ephemeral: None,
            unique_batch_item_id: None,
            payload,
            message_extension: None,
        })
    }
}

/// One operation's result in a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseBatchItem {
    /// Operation (servers may omit it in a one-item failure).
    pub operation: Option<Operation>,
    /// Unique Batch Item ID.
    pub unique_batch_item_id: Option<Vec<u8>>,
    /// Result Status.
    pub result_status: ResultStatus,
    /// Result Reason (required when the status is Operation Failed).
    pub result_reason: Option<ResultReason>,
    /// Result Message.
    pub result_message: Option<String>,
    /// Asynchronous Correlation Value.
    pub asynchronous_correlation_value: Option<Vec<u8>>,
    /// Response Payload.
    pub payload: Option<ResponsePayload>,
    /// Message Extension (boxed: rare, and a message is moved whole).
    pub message_extension: Option<Box<MessageExtension>>,
}

impl ResponseBatchItem {
    /// A successful result carrying `payload`.
    pub fn success(payload: ResponsePayload) -> Self {
        Self {
            operation: payload.operation(),
            unique_batch_item_id: None,
            result_status: ResultStatus::SUCCESS,
            result_reason: None,
            result_message: None,
            asynchronous_correlation_value: None,
            payload: Some(payload),
            message_extension: None,
        }
    }

    /// A failed result.
    pub fn failure(operation: Option<Operation>, reason: ResultReason, message: &str) -> Self {
        Self {
            operation,
            unique_batch_item_id: None,
            result_status: ResultStatus::OPERATION_FAILED,
            result_reason: Some(reason),
            result_message: Some(message.to_owned()),
            asynchronous_correlation_value: None,
            payload: None,
            message_extension: None,
        }
    }
}

/// A batch of items; one is stored inline, as nearly every message holds one.
pub type BatchItems<T> = SmallVec<[T; 1]>;

/// A request message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestMessage {
    /// Request Header.
    pub header: RequestHeader,
    /// Batch Items.
    pub batch_items: BatchItems<RequestBatchItem>,
}

impl RequestMessage {
    /// A one-item request in `version` with a minimal header.
    pub fn single(version: ProtocolVersion, payload: RequestPayload) -> Result<Self, EncodeError> {
        let mut batch_items = BatchItems::new();
        batch_items.push(RequestBatchItem::new(payload)?);
        Ok(Self {
            header: RequestHeader::new(version, 1),
            batch_items,
        })
    }

    /// Appends the encoding of a one-item request to `out`, the same bytes as
    /// [`RequestMessage::single`] with `unique_batch_item_id` set, then
    /// [`RequestMessage::encode`], without building the message: the payload is encoded where
    /// it is (a client's hot path: no copy of the payload, no allocation).
    pub fn encode_single(
        version: ProtocolVersion,
        unique_batch_item_id: &[u8],
        payload: &RequestPayload,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let operation = payload.operation().ok_or(EncodeError::NotExpressible(
            "an untyped payload needs its operation set by hand",
        ))?;
        let mut enc = Encoder::new(out);
        let m = enc.begin_structure(t::REQUEST_MESSAGE);
        let h = enc.begin_structure(t::REQUEST_HEADER);
        encode_version(&mut enc, version);
        enc.integer(t::BATCH_COUNT, 1);
        enc.end_structure(h);
        let bm = enc.begin_structure(t::BATCH_ITEM);
        enc.enumeration(t::OPERATION, operation.0);
        enc.bytes(t::UNIQUE_BATCH_ITEM_ID, unique_batch_item_id);
        payload.encode(t::REQUEST_PAYLOAD, &mut enc, version)?;
        enc.end_structure(bm);
        enc.end_structure(m);
        enc.finish()
    }

    /// Appends the encoding to `out` (clear it first to reuse it).
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let v = self.header.protocol_version;
        let mut enc = Encoder::new(out);
        let m = enc.begin_structure(t::REQUEST_MESSAGE);
        self.header.encode(&mut enc);
        for b in &self.batch_items {
            let bm = enc.begin_structure(t::BATCH_ITEM);
            enc.enumeration(t::OPERATION, b.operation.0);
            if let Some(e) = b.ephemeral {
                enc.boolean(t::EPHEMERAL, e);
            }
            if let Some(id) = &b.unique_batch_item_id {
                enc.bytes(t::UNIQUE_BATCH_ITEM_ID, id);
            }
            b.payload.encode(t::REQUEST_PAYLOAD, &mut enc, v)?;
            if let Some(x) = &b.message_extension {
                x.encode(&mut enc);
            }
            enc.end_structure(bm);
        }
        enc.end_structure(m);
        enc.finish()
    }

    /// Decodes a request message strictly and within `limits`.
    pub fn decode(buf: &[u8], limits: &DecodeLimits) -> Result<Self, DecodeError> {
        let mut r = ItemRef::top_structure(buf, limits, t::REQUEST_MESSAGE, "Request Message")?;
        let header =
            RequestHeader::decode(r.required_structure(t::REQUEST_HEADER, "Request Header")?)?;
        let v = header.protocol_version;
        let mut batch_items = BatchItems::new();
        while let Some(mut br) = r.optional_structure(t::BATCH_ITEM)? {
            let operation = Operation(br.required_enumeration(t::OPERATION, "Operation")?);
            let ephemeral = br.optional_boolean(t::EPHEMERAL)?;
            let unique_batch_item_id = opt_bytes(&mut br, t::UNIQUE_BATCH_ITEM_ID)?;
            let payload = RequestPayload::decode(
                operation,
                br.required(t::REQUEST_PAYLOAD, "Request Payload")?,
                v,
            )?;
            let message_extension = br
                .optional(t::MESSAGE_EXTENSION)?
                .map(|x| MessageExtension::decode(x).map(Box::new))
                .transpose()?;
            br.finish()?;
            batch_items.push(RequestBatchItem {
                operation,
                ephemeral,
                unique_batch_item_id,
                payload,
                message_extension,
            });
        }
        r.finish()?;
        Ok(Self {
            header,
            batch_items,
        })
    }
}

/// A response message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseMessage {
    /// Response Header.
    pub header: ResponseHeader,
    /// Batch Items.
    pub batch_items: BatchItems<ResponseBatchItem>,
}

impl ResponseMessage {
    /// Appends the encoding to `out` (clear it first to reuse it).
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let v = self.header.protocol_version;
        let mut enc = Encoder::new(out);
        let m = enc.begin_structure(t::RESPONSE_MESSAGE);
        self.header.encode(&mut enc);
        for b in &self.batch_items {
            let bm = enc.begin_structure(t::BATCH_ITEM);
            if let Some(op) = b.operation {
                enc.enumeration(t::OPERATION, op.0);
            }
            if let Some(id) = &b.unique_batch_item_id {
                enc.bytes(t::UNIQUE_BATCH_ITEM_ID, id);
            }
            enc.enumeration(t::RESULT_STATUS, b.result_status.0);
            if let Some(x) = b.result_reason {
                enc.enumeration(t::RESULT_REASON, x.0);
            }
            if let Some(x) = &b.result_message {
                enc.text(t::RESULT_MESSAGE, x);
            }
            if let Some(x) = &b.asynchronous_correlation_value {
                enc.bytes(t::ASYNCHRONOUS_CORRELATION_VALUE, x);
            }
            if let Some(p) = &b.payload {
                p.encode(t::RESPONSE_PAYLOAD, &mut enc, v)?;
            }
            if let Some(x) = &b.message_extension {
                x.encode(&mut enc);
            }
            enc.end_structure(bm);
        }
        enc.end_structure(m);
        enc.finish()
    }

    /// Decodes a response message strictly and within `limits` (through [`ResponseView`], then
    /// each payload typed). A batch item without an Operation (allowed in a one-item response)
    /// has its payload read as `fallback_operation` (the operation the client asked for), or
    /// kept generic when that is `None`.
    pub fn decode(
        buf: &[u8],
        limits: &DecodeLimits,
        fallback_operation: Option<Operation>,
    ) -> Result<Self, DecodeError> {
        // Built inside the returned Result, in the caller's frame: the message is large, and
        // moving it into an `Ok` afterwards would copy it.
        let mut out = Ok(Self {
            header: ResponseHeader::new(ProtocolVersion::V1_0, 0, 0),
            batch_items: BatchItems::new(),
        });
        if let Ok(message) = &mut out
            && let Err(e) = message.read(buf, limits, fallback_operation)
        {
            out = Err(e);
        }
        out
    }

    /// [`Self::decode`] into `self`, which holds an empty message.
    fn read(
        &mut self,
        buf: &[u8],
        limits: &DecodeLimits,
        fallback_operation: Option<Operation>,
    ) -> Result<(), DecodeError> {
        let mut view = ResponseView::empty();
        view.read(buf, limits)?;
        let v = view.header.protocol_version;
        self.header = view.header;
        for item in &view.batch_items {
            let message_extension = match item.message_extension {
                Some(x) => Some(Box::new(x.try_into()?)),
                None => None,
            };
            self.batch_items.push(ResponseBatchItem {
                operation: item.operation,
                unique_batch_item_id: item.unique_batch_item_id.map(<[u8]>::to_vec),
                result_status: item.result_status,
                result_reason: item.result_reason,
                result_message: item.result_message.map(str::to_owned),
                asynchronous_correlation_value: item
                    .asynchronous_correlation_value
                    .map(<[u8]>::to_vec),
                payload: None,
                message_extension,
            });
            // The payload is decoded straight into its slot: it is large, and every move of it
            // is a copy.
            let Some(slot) = self.batch_items.last_mut() else {
                continue;
            };
            match (item.payload, item.operation.or(fallback_operation)) {
                (None, _) => {}
                (Some(p), Some(op)) => ResponsePayload::decode_into(&mut slot.payload, op, p, v)?,
                (Some(p), None) => slot.payload = Some(ResponsePayload::Other(p.to_item()?)),
            }
        }
        Ok(())
    }
}

#[inline(always)]
fn opt_bytes(r: &mut StructureReader<'_>, tag: u32) -> Result<Option<Vec<u8>>, DecodeError> {
    Ok(r.optional_bytes(tag)?.map(<[u8]>::to_vec))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::operations::{GetRequest, UniqueIdentifierRequest};

    #[test]
    fn encode_single_writes_what_single_then_encode_writes() {
        let payloads = [
            RequestPayload::Get(GetRequest::raw("6f1c8e2a-4b7d-4e0f-9a3c-000000000001")),
            RequestPayload::Activate(UniqueIdentifierRequest::new("42")),
        ];
        for version in [
            ProtocolVersion::V1_0,
            ProtocolVersion::V1_4,
            ProtocolVersion::V2_0,
        ] {
            for payload in &payloads {
                let mut message = RequestMessage::single(version, payload.clone()).unwrap();
                message.batch_items[0].unique_batch_item_id = Some(vec![1, 2, 3, 4, 5, 6, 7, 8]);
                let mut expected = Vec::new();
                message.encode(&mut expected).unwrap();
                let mut fast = Vec::new();
                RequestMessage::encode_single(
                    version,
                    &[1, 2, 3, 4, 5, 6, 7, 8],
                    payload,
                    &mut fast,
                )
                .unwrap();
                assert_eq!(fast, expected, "{version}");
            }
        }
    }
}
