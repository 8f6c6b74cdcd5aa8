//! A response message read in place: [`ResponseView`] holds the header and each batch item's
//! result with identifiers, messages and payloads borrowed from the decoded buffer, so reading
//! a response allocates nothing in the usual case. Payloads stay checked item views until a typed
//! decoder reads them ([`GetResponseView`] in place, or the owned payloads of
//! [`ResponseMessage`], which is decoded through this view).
//!
//! [`GetResponseView`]: crate::protocol::operations::GetResponseView
//! [`ResponseMessage`]: crate::protocol::ResponseMessage

use super::message::{BatchItems, MessageExtensionView, ResponseHeader};
use super::tags as t;
use super::{Operation, ProtocolVersion, ResultReason, ResultStatus};
use crate::ttlv::{DecodeError, DecodeLimits, ItemRef, StructureReader};

/// A response message read in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseView<'a> {
    /// Response Header (its rare fields, when present, are owned).
    pub header: ResponseHeader,
    /// Batch Items.
    pub batch_items: BatchItems<ResponseItemView<'a>>,
}

/// One operation's result, read in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseItemView<'a> {
    /// Operation (servers may omit it in a one-item failure).
    pub operation: Option<Operation>,
    /// Unique Batch Item ID.
    pub unique_batch_item_id: Option<&'a [u8]>,
    /// Result Status.
    pub result_status: ResultStatus,
    /// Result Reason.
    pub result_reason: Option<ResultReason>,
    /// Result Message.
    pub result_message: Option<&'a str>,
    /// Asynchronous Correlation Value.
    pub asynchronous_correlation_value: Option<&'a [u8]>,
    /// Response Payload, a Structure: its header is checked, its contents are read by a typed
    /// decoder.
    pub payload: Option<ItemRef<'a>>,
    /// Message Extension.
    pub message_extension: Option<MessageExtensionView<'a>>,
}

impl<'a> ResponseView<'a> {
    /// Reads a response message strictly and within `limits`, leaving the payloads to a typed
    /// decoder.
    #[inline(always)]
    pub fn decode(buf: &'a [u8], limits: &DecodeLimits) -> Result<Self, DecodeError> {
        // Built inside the returned Result, in the caller's frame: a view with its inline batch
        // item is large, and moving it into an `Ok` afterwards would copy it.
        let mut out = Ok(Self::empty());
        if let Ok(view) = &mut out
            && let Err(e) = view.read(buf, limits)
        {
            out = Err(e);
        }
        out
    }

    /// A view with nothing read yet.
    #[inline(always)]
    pub(crate) fn empty() -> Self {
        Self {
            header: ResponseHeader::new(ProtocolVersion::V1_0, 0, 0),
            batch_items: BatchItems::new(),
        }
    }

    /// Reads into an empty view: the usual response straight through, anything else through
    /// the general reader (which also reports every error).
    #[inline(always)]
    pub(crate) fn read(&mut self, buf: &'a [u8], limits: &DecodeLimits) -> Result<(), DecodeError> {
        if self.read_usual(buf, limits).is_some() {
            return Ok(());
        }
        self.batch_items.clear();
        self.read_general(buf, limits)
    }

    /// The usual response, read straight through: a header of Protocol Version, Time Stamp and
    /// Batch Count only, and one batch item without Asynchronous Correlation Value or Message
    /// Extension. Anything else (or anything malformed) is `None`, with `self` partly written,
    /// for [`Self::read_general`] to read or to report. Reads what the general reader reads.
    #[inline(always)]
    pub(super) fn read_usual(&mut self, buf: &'a [u8], limits: &DecodeLimits) -> Option<()> {
        let mut r = StructureReader::exact_top(buf, limits, t::RESPONSE_MESSAGE)?;
        let mut h = r.exact_structure(t::RESPONSE_HEADER)?;
        let mut v = h.exact_structure(t::PROTOCOL_VERSION)?;
        let major = v.exact_integer(t::PROTOCOL_VERSION_MAJOR)?;
        let minor = v.exact_integer(t::PROTOCOL_VERSION_MINOR)?;
        v.exact_end()?;
        self.header.protocol_version = ProtocolVersion::new(major, minor);
        self.header.time_stamp = h.exact_date_time(t::TIME_STAMP)?;
        self.header.batch_count = h.exact_integer(t::BATCH_COUNT)?;
        h.exact_end()?;
        let mut b = r.exact_structure(t::BATCH_ITEM)?;
        r.exact_end()?;
        self.batch_items.push(ResponseItemView::EMPTY);
        let item = self.batch_items.last_mut()?;
        item.operation = b
            .exact_optional(t::OPERATION, |r, tag| r.exact_enumeration(tag))?
            .map(Operation);
        item.unique_batch_item_id =
            b.exact_optional(t::UNIQUE_BATCH_ITEM_ID, |r, tag| r.exact_bytes(tag))?;
        item.result_status = ResultStatus(b.exact_enumeration(t::RESULT_STATUS)?);
        item.result_reason = b
            .exact_optional(t::RESULT_REASON, |r, tag| r.exact_enumeration(tag))?
            .map(ResultReason);
        item.result_message = b.exact_optional(t::RESULT_MESSAGE, |r, tag| r.exact_text(tag))?;
        if b.peek_tag() == Some(t::RESPONSE_PAYLOAD) {
            item.payload = Some(b.exact_structure_item(t::RESPONSE_PAYLOAD)?);
        }
        b.exact_end()
    }

    /// Any response: header fields in any order and of any version, any number of batch items.
    #[inline(never)]
    pub(super) fn read_general(
        &mut self,
        buf: &'a [u8],
        limits: &DecodeLimits,
    ) -> Result<(), DecodeError> {
        let mut r = ItemRef::top_structure(buf, limits, t::RESPONSE_MESSAGE, "Response Message")?;
        self.header
            .decode_into(r.required_structure(t::RESPONSE_HEADER, "Response Header")?)?;
        while let Some(b) = r.optional_structure(t::BATCH_ITEM)? {
            // Read straight into its slot: a batch item is large, and every move is a copy.
            self.batch_items.push(ResponseItemView::EMPTY);
            if let Some(item) = self.batch_items.last_mut() {
                item.decode_into(b)?;
            }
        }
        r.finish()
    }
}

impl<'a> ResponseItemView<'a> {
    /// A batch item with nothing read yet.
    const EMPTY: Self = Self {
        operation: None,
        unique_batch_item_id: None,
        result_status: ResultStatus::SUCCESS,
        result_reason: None,
        result_message: None,
        asynchronous_correlation_value: None,
        payload: None,
        message_extension: None,
    };

    #[inline(always)]
    fn decode_into(&mut self, mut br: StructureReader<'a>) -> Result<(), DecodeError> {
        self.operation = br.optional_enumeration(t::OPERATION)?.map(Operation);
        self.unique_batch_item_id = br.optional_bytes(t::UNIQUE_BATCH_ITEM_ID)?;
        self.result_status =
            ResultStatus(br.required_enumeration(t::RESULT_STATUS, "Result Status")?);
        self.result_reason = br.optional_enumeration(t::RESULT_REASON)?.map(ResultReason);
        self.result_message = br.optional_text(t::RESULT_MESSAGE)?;
        self.asynchronous_correlation_value =
            br.optional_bytes(t::ASYNCHRONOUS_CORRELATION_VALUE)?;
        self.payload = br.optional_structure_item(t::RESPONSE_PAYLOAD)?;
        if let Some(x) = br.optional(t::MESSAGE_EXTENSION)? {
            self.message_extension = Some(MessageExtensionView::decode(x)?);
        }
        br.finish()
    }
}
